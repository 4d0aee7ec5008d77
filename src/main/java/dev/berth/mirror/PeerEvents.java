package dev.berth.mirror;

/** What the mirror reports of the fleet's peer traffic, for metrics; implementations must be thread-safe. */
public interface PeerEvents {
    /** Reports nothing: for a berth alone, or one nobody measures. */
    PeerEvents NONE = new PeerEvents() {
        @Override
        public void fetchedFromPeer(MirrorEvents.Kind kind) {
        }

        @Override
        public void servedToPeer(MirrorEvents.Kind kind) {
        }

        @Override
        public void peerFallback(MirrorEvents.Kind kind) {
        }
    };

    /** A manifest or blob this instance lacked came from its owner in the fleet. */
    void fetchedFromPeer(MirrorEvents.Kind kind);

    /** This instance, the owner, answered another instance's request for a manifest or blob. */
    void servedToPeer(MirrorEvents.Kind kind);

    /** An owner could not be reached, or its answer or stream broke: this instance went to the upstream itself. */
    void peerFallback(MirrorEvents.Kind kind);
}
