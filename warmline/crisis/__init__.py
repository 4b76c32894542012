"""Crisis detection: grade a message's risk and pick the referral script to send.

Domain: imports config and the standard library, never a web framework, Twilio or a job queue.
"""

from warmline.crisis.detector import Detection, detect

__all__ = ["Detection", "detect"]
