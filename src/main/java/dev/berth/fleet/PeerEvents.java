package dev.berth.fleet;

/** What the fleet reports of its peer traffic, for metrics; implementations must be thread-safe. */
public interface PeerEvents {
    /** Reports nothing: for a berth alone, or one nobody measures. */
    PeerEvents NONE = new PeerEvents() {
        @Override
        public void fetchedFromPeer(Kind kind) {
        }

        @Override
        public void servedToPeer(Kind kind) {
        }

        @Override
        public void peerFallback(Kind kind) {
        }
    };

    /** What went over the peer wire. */
    enum Kind { MANIFEST, BLOB }

    /** A manifest or blob this instance lacked came from its owner in the fleet. */
    void fetchedFromPeer(Kind kind);

    /** This instance, the owner, answered another instance's request for a manifest or blob. */
    void servedToPeer(Kind kind);

    /** An owner could not be reached, or its answer or stream broke: this instance went to the upstream itself. */
    void peerFallback(Kind kind);
}
