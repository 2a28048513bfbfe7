"""Server media path: WebRTC legs per call party, forwarding encoded VP8/Opus (no transcoding)."""

from media.registry import PeerRegistry

__all__ = ["PeerRegistry"]
