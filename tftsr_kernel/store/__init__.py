"""The encrypted SQLCipher store: key resolution, migrations, transactions and typed queries."""

from .connection import CIPHER_SETTINGS, Store, StoreInfo, utc_now
from .ids import new_id
from .keys import MasterKey, resolve_key
from .paths import default_store_path, resolve_store_path

__all__ = [
    "CIPHER_SETTINGS",
    "MasterKey",
    "Store",
    "StoreInfo",
    "default_store_path",
    "new_id",
    "resolve_key",
    "resolve_store_path",
    "utc_now",
]
