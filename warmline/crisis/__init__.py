"""Crisis detection: grade a message's risk and pick the referral script to send."""

from warmline.crisis.detector import Detection, detect

__all__ = ["Detection", "detect"]
