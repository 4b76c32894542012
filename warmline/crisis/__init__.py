"""Crisis detection: grade a message's risk and pick the referral script to send.

Domain: imports config and the standard library, never a web framework, Twilio or a job queue.
`detect` is the line's detector: the rules (detector.py) and the learned model (model.py).
"""

from warmline.crisis.combined import detect
from warmline.crisis.detector import Detection

__all__ = ["Detection", "detect"]
