import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ start-up chatter out
# `import tensorflow` also imports Keras (to register Keras objects for Keras' own SavedModel
# loading). The service loads SavedModels with tf.saved_model.load alone, as TensorFlow Serving
# does without any Python, so that import is skipped here: about 0.4 s less cold start and
# 50 MB less memory. TensorFlow treats the missing module as "Keras not installed".
sys.modules.setdefault("keras.src.optimizers", None)

from service.cli import main  # noqa: E402
from service.exit import exit_now  # noqa: E402

exit_now(main())
