import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ start-up chatter out

from service.cli import exit_now, main  # noqa: E402

exit_now(main())
