"""API tokens for programs (``Authorization: Bearer <key>``). Only a SHA-256 hash of the key is stored;
the key itself is shown once, when the token is issued (``dudao create_api_token``).

The key is 32 random bytes, so a fast hash is enough: there is nothing to guess from the hash, and a
lookup is one indexed query. A token acts as its user, with exactly that user's roles.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone

KEY_PREFIX = "dudao_"
# ``last_used`` is written at most this often per token, so a busy client does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    # The first characters of the key, to tell tokens apart in listings; not enough to use it.
    prefix = models.CharField(max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="api_token_unique_name")]

    def __str__(self) -> str:
        return f"{self.user} · {self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token; returns it with the key, which is never stored and cannot be shown again."""
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[: len(KEY_PREFIX) + 6], key_hash=hash_key(key))
        return token, key

    @classmethod
    def user_for_key(cls, key: str) -> User | None:
        """The active user the key belongs to, or None. Marks the token as used."""
        if not key.startswith(KEY_PREFIX):
            return None
        token = cls.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None or not token.user.is_active:
            return None
        now = timezone.now()
        if token.last_used is None or now - token.last_used > LAST_USED_RESOLUTION:
            cls.objects.filter(pk=token.pk).update(last_used=now)
        return token.user
