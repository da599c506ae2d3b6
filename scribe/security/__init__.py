"""Security: keys and encryption at rest (audio chunks, key wrapping), the clinician profile."""

from scribe.security.crypto import (
    EncryptedWriter,
    encrypt_file,
    is_encrypted,
    new_data_key,
    read_plaintext,
    read_range,
    seal_part,
    unwrap_key,
    wrap_key,
    writer_factory,
)
from scribe.security.erase import destroy_file
from scribe.security.profile import Profile, ProfileExistsError

__all__ = [
    "EncryptedWriter",
    "Profile",
    "ProfileExistsError",
    "destroy_file",
    "encrypt_file",
    "is_encrypted",
    "new_data_key",
    "read_plaintext",
    "read_range",
    "seal_part",
    "unwrap_key",
    "wrap_key",
    "writer_factory",
]
