import re
from datetime import datetime

from sqlmodel import Session

from app.auth import hash_secret, new_secret
from app.models import ApiToken, Role, User
from app.organisations import service as organisations


def create_with_token(
    session: Session,
    *,
    role: Role,
    name: str,
    organisation_ref: str | None,
    email: str | None,
    now: datetime,
) -> str:
    """A new user and a first token for them; returns the token, which is not stored."""
    organisation = organisations.resolve(session, organisation_ref) if organisation_ref else None
    slug = re.sub(r"[^a-z0-9]+", ".", name.casefold()).strip(".") or "user"
    user = User(
        name=name,
        email=email or f"{slug}.{new_secret('')[:6].lower()}@pantau.invalid",
        role=role,
        organisation_id=organisation.id if organisation else None,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    session.flush()
    secret = new_secret()
    session.add(
        ApiToken(
            user_id=user.id,
            name=f"{name} (command line)",
            token_hash=hash_secret(secret),
            prefix=secret[:8],
            created_at=now,
        )
    )
    session.flush()
    return secret
