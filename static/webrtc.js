// WebRTC helpers shared by the citizen page and the operator console.
// The server terminates WebRTC: each party has exactly one RTCPeerConnection with it, the client
// always offers, and the server does not trickle ICE (we wait for gathering before sending).

let iceServersPromise = null;

/** ICE servers from GET /api/client-config (cached; [] on any failure = host candidates only). */
export function fetchIceServers() {
  if (!iceServersPromise) {
    iceServersPromise = fetch("/api/client-config", { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : {}))
      .then((cfg) => (Array.isArray(cfg.ice_servers) ? cfg.ice_servers : []))
      .catch(() => []);
  }
  return iceServersPromise;
}

/**
 * Camera/microphone with graceful fallback.
 * Returns {stream, video: bool, audio: bool, error: DOMException|null}; stream may be null.
 */
export async function getLocalMedia(wantVideo) {
  const md = navigator.mediaDevices;
  if (!md || !md.getUserMedia) return { stream: null, video: false, audio: false, error: new Error("no mediaDevices") };
  const videoConstraints = { facingMode: "user", width: { ideal: 1280 }, height: { ideal: 720 } };
  let firstError = null;
  if (wantVideo) {
    try {
      const stream = await md.getUserMedia({ video: videoConstraints, audio: true });
      return { stream, video: stream.getVideoTracks().length > 0, audio: stream.getAudioTracks().length > 0, error: null };
    } catch (e) {
      firstError = e;
    }
  }
  try {
    const stream = await md.getUserMedia({ audio: true });
    return { stream, video: false, audio: true, error: firstError };
  } catch (e) {
    // Last resort for a video call: camera without a microphone.
    if (wantVideo) {
      try {
        const stream = await md.getUserMedia({ video: videoConstraints });
        return { stream, video: true, audio: false, error: e };
      } catch { /* fall through */ }
    }
    return { stream: null, video: false, audio: false, error: firstError || e };
  }
}

/** Stop every track of a stream (ignore null). */
export function stopStream(stream) {
  if (stream) for (const track of stream.getTracks()) track.stop();
}

/**
 * Restrict a transceiver to VP8 (+ its RTX) or Opus. Silently does nothing where the browser
 * lacks setCodecPreferences: the default offer still contains VP8 and Opus.
 */
export function preferCodecs(transceiver, kind) {
  if (typeof transceiver.setCodecPreferences !== "function" || !window.RTCRtpReceiver?.getCapabilities) return;
  const caps = RTCRtpReceiver.getCapabilities(kind);
  if (!caps) return;
  const wanted = kind === "video" ? ["video/vp8", "video/rtx"] : ["audio/opus"];
  const codecs = caps.codecs.filter((c) => wanted.includes(c.mimeType.toLowerCase()));
  if (!codecs.some((c) => c.mimeType.toLowerCase() !== "video/rtx")) return;
  try {
    transceiver.setCodecPreferences(codecs);
  } catch (e) {
    console.warn("setCodecPreferences failed", e);
  }
}

/**
 * New RTCPeerConnection with one transceiver per kind.
 * opts: {iceServers, stream, kinds: ["audio","video"], onTrack(event), onState(connectionState)}
 * A kind with a local track is sendrecv; a kind without one is recvonly (we still receive it).
 */
export function createPeer({ iceServers = [], stream = null, kinds = ["audio", "video"], onTrack, onState }) {
  const pc = new RTCPeerConnection({ iceServers, bundlePolicy: "max-bundle" });
  for (const kind of kinds) {
    const track = stream ? stream.getTracks().find((tr) => tr.kind === kind) : null;
    const tx = track
      ? pc.addTransceiver(track, { direction: "sendrecv", streams: [stream] })
      : pc.addTransceiver(kind, { direction: "recvonly" });
    preferCodecs(tx, kind);
  }
  if (onTrack) pc.addEventListener("track", onTrack);
  if (onState) pc.addEventListener("connectionstatechange", () => onState(pc.connectionState));
  return pc;
}

/** Resolve when ICE gathering is complete, or after timeoutMs (whatever we have by then). */
export function waitForIceGathering(pc, timeoutMs = 2000) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener("icegatheringstatechange", onChange);
      pc.removeEventListener("icecandidate", onCandidate);
      resolve();
    };
    const onChange = () => { if (pc.iceGatheringState === "complete") done(); };
    const onCandidate = (e) => { if (!e.candidate) done(); };
    const timer = setTimeout(done, timeoutMs);
    pc.addEventListener("icegatheringstatechange", onChange);
    pc.addEventListener("icecandidate", onCandidate);
  });
}

/**
 * Full offer/answer exchange. sendOffer(sdp) must return the server's answer SDP (string)
 * or throw. Returns when the answer is applied.
 */
export async function negotiate(pc, sendOffer, gatherTimeoutMs = 2000) {
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  await waitForIceGathering(pc, gatherTimeoutMs);
  const answerSdp = await sendOffer(pc.localDescription.sdp);
  if (pc.signalingState === "closed") return;
  await pc.setRemoteDescription({ type: "answer", sdp: answerSdp });
}

/** Close a peer connection quietly. */
export function closePeer(pc) {
  if (!pc) return;
  try { pc.close(); } catch { /* already closed */ }
}

/**
 * Attach a stream to a <video>/<audio> element and try to play it with sound.
 * If autoplay with sound is blocked, plays muted and returns false so the caller can
 * show an unmute button; returns true when playing with sound.
 */
export async function playWithSound(el, stream) {
  if (el.srcObject !== stream) el.srcObject = stream;
  el.muted = false;
  try {
    await el.play();
    return true;
  } catch (e) {
    if (e && e.name === "AbortError") return true; // a newer load() superseded this play()
    el.muted = true;
    try { await el.play(); } catch { /* nothing more to do */ }
    return false;
  }
}
