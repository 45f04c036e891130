"""Topic suggestions while an agent types (SPEC.md §4): the same problem gets the same topic."""

from collections import Counter

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Complaint
from app.policy import fast


def suggest(category_id: int | None, topic: str, viewer, limit: int = 5) -> dict:
    """Existing topics of the category like ``topic``, and the viewer's similar recent complaints."""
    if not category_id or not (topic or "").strip():
        return {"topics": [], "similar": []}
    since = clock.now() - fast.SUGGEST_WITHIN
    rows = db.session.execute(
        select(
            Complaint.id,
            Complaint.number,
            Complaint.topic,
            Complaint.received_at,
            Complaint.visible_to(viewer),
            Complaint.incident_id,
        )
        .where(Complaint.category_id == category_id, Complaint.received_at >= since)
        .order_by(Complaint.received_at.desc())
        .limit(fast.SUGGEST_CANDIDATES)
    ).all()
    scored = [(fast.similarity(topic, row.topic), row) for row in rows]
    alike = [(score, row) for score, row in scored if score >= fast.SUGGEST_MIN_SIMILARITY]
    counts = Counter(row.topic for _score, row in alike)
    best = {row.topic: score for score, row in sorted(alike, key=lambda pair: pair[0])}
    topics = sorted(counts, key=lambda text: (-best[text], -counts[text]))[:limit]
    similar = sorted((pair for pair in alike if pair[1][4]), key=lambda pair: -pair[0])[:limit]
    return {
        "topics": [{"topic": text, "count": counts[text], "similarity": round(best[text], 2)} for text in topics],
        "similar": [
            {
                "id": row.id,
                "number": row.number,
                "topic": row.topic,
                "received_at": clock.to_local(row.received_at).isoformat(),
                "similarity": round(score, 2),
                # The incident it belongs to: giving the new complaint this topic joins it.
                "incident": row.incident_id,
            }
            for score, row in similar
        ],
    }
