"""The one exception tree of 102.

Every error carries a machine-readable ``code`` that adapters send to clients as-is.
Third-party errors are mapped into this tree where the library is called.

    Error102
    ├── InvalidInput (ValueError)            invalid_payload
    │   ├── InvalidLocation                  invalid_location
    │   ├── InvalidSdp                       invalid_sdp
    │   ├── PayloadTooLarge                  payload_too_large
    │   ├── UnsupportedMediaType             unsupported_media_type
    │   └── TooManyFiles                     too_many_files
    ├── NotFound (LookupError)               not_found
    │   └── UnknownCall                      unknown_call
    ├── Conflict                             conflict
    │   ├── IllegalTransition                illegal_transition
    │   └── CallAlreadyTaken                 call_taken
    ├── Unauthenticated                      unauthenticated
    ├── Forbidden (PermissionError)          forbidden
    ├── RateLimited                          rate_limited
    ├── ServiceUnavailable                   unavailable
    │   ├── MediaError                       media_error
    │   │   └── MediaNodeGone                media_node_gone
    │   ├── MediaBusy                        media_busy
    │   ├── StorageError                     storage_error
    │   └── GeocoderError                    geocoder_error
    │       └── GeocoderRateLimited          geocoder_rate_limited
    └── ConfigError                          config_error
        └── BoundaryDataError                boundary_data
"""

from __future__ import annotations


class Error102(Exception):
    code = "error"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.code)
        self.message = message or self.code

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class InvalidInput(Error102, ValueError):
    code = "invalid_payload"


class InvalidLocation(InvalidInput):
    code = "invalid_location"


class InvalidSdp(InvalidInput):
    code = "invalid_sdp"


class PayloadTooLarge(InvalidInput):
    code = "payload_too_large"


class NotFound(Error102, LookupError):
    code = "not_found"


class UnknownCall(NotFound):
    code = "unknown_call"


class Conflict(Error102):
    code = "conflict"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class CallAlreadyTaken(Conflict):
    code = "call_taken"


class Unauthenticated(Error102):
    code = "unauthenticated"


class Forbidden(Error102, PermissionError):
    code = "forbidden"


class RateLimited(Error102):
    code = "rate_limited"


class ServiceUnavailable(Error102):
    code = "unavailable"


class MediaError(ServiceUnavailable):
    code = "media_error"


class MediaBusy(ServiceUnavailable):
    """Every media worker's event loop lags past ``media.max_loop_lag_ms``: no new call now."""

    code = "media_busy"


class MediaNodeGone(MediaError):
    """The server node holding a call's media is not running (it died or was stopped)."""

    code = "media_node_gone"


class StorageError(ServiceUnavailable):
    code = "storage_error"


class GeocoderError(ServiceUnavailable):
    code = "geocoder_error"


class GeocoderRateLimited(GeocoderError):
    code = "geocoder_rate_limited"


class ConfigError(Error102):
    code = "config_error"


class BoundaryDataError(ConfigError):
    code = "boundary_data"


class UnsupportedMediaType(InvalidInput):
    """An upload whose content (magic bytes) is not an accepted photo or video type."""

    code = "unsupported_media_type"


class TooManyFiles(InvalidInput):
    code = "too_many_files"
