"""Texts: a texter's conversation with a peer specialist, from the first text to its close.

Domain: imports config and the rest of the domain, never Flask, Twilio, RQ, webhooks or workers.
`arrival` reads each incoming text (keywords, crisis, admission), `conversation` is what a
specialist does with an open one, `delivery` sends replies and watches for silence. Callers
outside this package use the names below.
"""

from warmline.texts.arrival import (
    STOP_WORDS,
    IncomingText,
    Keyword,
    Say,
    TextPlan,
    is_opted_out,
    keyword,
    receive_text,
    restore,
)
from warmline.texts.conversation import (
    LINE,
    CloseReason,
    ConfirmFlaggedClose,
    ConversationUnavailable,
    NotYourConversation,
    Sent,
    TextMessage,
    accept_text,
    close_by_specialist,
    close_conversation,
    conversation_messages,
    conversation_state,
    keep_line_texts,
    reply,
    texts_allowed,
    texts_held,
    waiting_texts,
    watch,
)
from warmline.texts.delivery import (
    MAX_SEND_ATTEMPTS,
    UNPROMPTED_REMINDERS,
    delivery_report,
    flag_undeliverable,
    inactive_for,
    send_reply,
    send_retry_after,
    watch_conversation,
)

__all__ = [
    "LINE",
    "MAX_SEND_ATTEMPTS",
    "STOP_WORDS",
    "UNPROMPTED_REMINDERS",
    "CloseReason",
    "ConfirmFlaggedClose",
    "ConversationUnavailable",
    "IncomingText",
    "Keyword",
    "NotYourConversation",
    "Say",
    "Sent",
    "TextMessage",
    "TextPlan",
    "accept_text",
    "close_by_specialist",
    "close_conversation",
    "conversation_messages",
    "conversation_state",
    "delivery_report",
    "flag_undeliverable",
    "inactive_for",
    "is_opted_out",
    "keep_line_texts",
    "keyword",
    "receive_text",
    "reply",
    "restore",
    "send_reply",
    "send_retry_after",
    "texts_allowed",
    "texts_held",
    "waiting_texts",
    "watch",
    "watch_conversation",
]
