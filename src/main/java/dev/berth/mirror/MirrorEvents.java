package dev.berth.mirror;

import java.util.function.ObjLongConsumer;

/** What the mirror reports of its cache and its upstream traffic, for metrics; implementations must be thread-safe. */
public interface MirrorEvents {
    /** Reports nothing: for a mirror nobody measures. */
    MirrorEvents NONE = new ReceivedOnly((registry, bytes) -> { });

    /** Reports only the bytes received from upstreams: for fetches no client asked for, which are no hit or miss. */
    static MirrorEvents receivedOnly(MirrorEvents events) {
        return new ReceivedOnly(events::received);
    }

    /** What a client asked for. */
    enum Kind { MANIFEST, BLOB }

    /**
     * A request for content mirrored from {@code registry} (a manifest's GET or HEAD, a blob's GET) was answered from
     * the cache with no upstream request; the content is {@code bytes} long.
     */
    void hit(String registry, Kind kind, long bytes);

    /** A request as for {@link #hit} needed the upstream: a fetch, a tag's revalidation, or joining a running fill. */
    void miss(String registry, Kind kind);

    /** {@code bytes} of manifest or blob bodies arrived from {@code registry}. */
    void received(String registry, long bytes);

    /** Events that report received bytes alone, to {@code received}. */
    final class ReceivedOnly implements MirrorEvents {
        private final ObjLongConsumer<String> received;

        private ReceivedOnly(ObjLongConsumer<String> received) {
            this.received = received;
        }

        @Override
        public void hit(String registry, Kind kind, long bytes) {
        }

        @Override
        public void miss(String registry, Kind kind) {
        }

        @Override
        public void received(String registry, long bytes) {
            received.accept(registry, bytes);
        }
    }
}
