// The supervisor's leg of a call (docs/protocol.md, /supervisor): one RTCPeerConnection with
// the server offering exactly three m-lines, in this order —
//   0 audio sendrecv: the caller's audio in; our microphone out, heard only while barging,
//   1 video recvonly: the caller's video,
//   2 audio recvonly: the operator's audio.
// The microphone track is sent from the start but disabled (silence) until Barge, so barging
// needs no renegotiation. Until the microphone is granted a silent track stands in, so the
// picture never waits for a permission prompt. This module never touches the DOM.

import { request } from "/static/util.js";
import { fetchIceServers, preferCodecs, negotiate, closePeer, stopStream } from "/static/webrtc.js";

export class MonitorSession {
  /**
   * hooks: {media(callerStream, operatorStream), state(connectionState), barging(bool),
   *         ended(reason), error(AckError|Error)}
   */
  constructor(socket, hooks) {
    this.socket = socket;
    this.hooks = hooks;
    this.callId = null;
    this.pc = null;
    this.talk = null; // transceiver 0
    this.mic = null; // MediaStream from getUserMedia
    this.silence = null; // AudioContext producing the stand-in track
    this.barging = false;
    this.generation = 0;
    this.retried = false;
  }

  get active() {
    return this.callId !== null;
  }

  /** monitor:start, then media. Resolves with the call (SessionItem) from the ack. */
  async start(callId) {
    if (this.active) await this.stop();
    this.callId = callId;
    this.retried = false;
    const ack = await request(this.socket, "monitor:start", { call_id: callId });
    if (this.callId !== callId) return ack.call;
    await this.connectMedia();
    return ack.call;
  }

  async connectMedia() {
    const callId = this.callId;
    const generation = ++this.generation;
    closePeer(this.pc);
    const iceServers = await fetchIceServers();
    if (generation !== this.generation) return;
    const pc = new RTCPeerConnection({ iceServers, bundlePolicy: "max-bundle" });
    this.pc = pc;
    const micTrack = this.mic && this.mic.getAudioTracks()[0];
    const outgoing = micTrack && micTrack.readyState === "live" ? micTrack : this.silentTrack();
    outgoing.enabled = this.barging;
    this.talk = pc.addTransceiver(outgoing, { direction: "sendrecv" });
    const video = pc.addTransceiver("video", { direction: "recvonly" });
    const operator = pc.addTransceiver("audio", { direction: "recvonly" });
    preferCodecs(this.talk, "audio");
    preferCodecs(video, "video");
    preferCodecs(operator, "audio");
    this.hooks.media(
      new MediaStream([video.receiver.track, this.talk.receiver.track]),
      new MediaStream([operator.receiver.track]),
    );
    pc.addEventListener("connectionstatechange", () => {
      if (generation !== this.generation) return;
      this.hooks.state(pc.connectionState);
      // One fresh offer if the leg fails (network change); after that the supervisor decides.
      if (pc.connectionState === "failed" && !this.retried && this.callId === callId) {
        this.retried = true;
        this.connectMedia().catch((e) => this.hooks.error(e));
      }
    });
    if (!micTrack) this.acquireMicrophone(); // in parallel: the picture does not wait for it
    await negotiate(pc, async (sdp) => {
      const ack = await request(this.socket, "media:offer", { call_id: callId, type: "offer", sdp }, 20000);
      return ack.sdp;
    });
  }

  /** A live track of silence (Web Audio), sent until the microphone is granted. */
  silentTrack() {
    if (!this.silence) this.silence = new AudioContext();
    const track = this.silence.createMediaStreamDestination().stream.getAudioTracks()[0];
    return track;
  }

  async acquireMicrophone() {
    if (this.mic) return true;
    try {
      this.mic = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
    } catch (e) {
      console.warn("no microphone", e);
      return false;
    }
    const track = this.mic.getAudioTracks()[0];
    track.enabled = this.barging;
    if (this.talk && this.pc && this.pc.signalingState !== "closed") {
      await this.talk.sender.replaceTrack(track);
    }
    return true;
  }

  async setBarge(on) {
    if (!this.active) return;
    if (on && !(await this.acquireMicrophone())) {
      throw Object.assign(new Error("no microphone"), { code: "no_microphone" });
    }
    const ack = await request(this.socket, on ? "barge:start" : "barge:stop", { call_id: this.callId });
    this.barging = !!ack.barging;
    const track = this.talk && this.talk.sender.track;
    if (track) track.enabled = this.barging;
    this.hooks.barging(this.barging);
  }

  /** The server ended our monitoring (replaced by another supervisor, call over): local cleanup. */
  drop(reason) {
    if (!this.active) return;
    this.teardown();
    this.hooks.ended(reason);
  }

  async stop() {
    if (!this.active) return;
    const callId = this.callId;
    this.teardown();
    try {
      await request(this.socket, "monitor:stop", { call_id: callId });
    } catch (e) {
      if (e.code !== "illegal_transition" && e.code !== "unknown_call") console.warn("monitor:stop", e);
    }
    this.hooks.ended("stopped");
  }

  teardown() {
    this.generation += 1;
    this.callId = null;
    if (this.barging) {
      this.barging = false;
      this.hooks.barging(false);
    }
    closePeer(this.pc);
    this.pc = null;
    this.talk = null;
    stopStream(this.mic);
    this.mic = null;
    if (this.silence) this.silence.close().catch(() => {});
    this.silence = null;
  }
}
