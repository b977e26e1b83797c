"""Stored files behind one small interface: the local disk by default, an S3-compatible store
for deployments with several replicas (they must all see the same files)."""

from app.storage.stores import Blob, LocalStore, Missing, S3Store, Store, Stored, store_of

__all__ = ["Blob", "LocalStore", "Missing", "S3Store", "Store", "Stored", "store_of"]
