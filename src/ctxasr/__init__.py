"""ctxasr: contextual speech recognition for voice assistants.

Data flows one way through the sub-packages:
event (``events``) → store (``store`` + ``crypto``) → context builder → recognizer → result.
"""

__version__ = "0.1.0"
