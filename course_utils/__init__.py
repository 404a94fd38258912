"""Student-side helpers for the convolution backpropagation course.

Import the pieces you need explicitly, e.g.::

    from course_utils.gradcheck import check_gradients
    from course_utils.flipviz import plot_full_convolution

This package never contains an answer: no reference implementation, no expected
value of any graded test. Importing it has no side effects (no seeding, no
matplotlib rcParams changes).
"""

__version__ = "1.0.0"
