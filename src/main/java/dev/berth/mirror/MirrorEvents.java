package dev.berth.mirror;

import java.util.function.Consumer;
import java.util.function.ObjLongConsumer;

/** What the mirror reports of its cache and its upstream traffic, for metrics; implementations must be thread-safe. */
public interface MirrorEvents {
    /** Reports nothing: for a mirror nobody measures. */
    MirrorEvents NONE = new ReceivedOnly((registry, bytes) -> { }, registry -> { });

    /** Reports every event to {@code first}, then to {@code second}. */
    static MirrorEvents both(MirrorEvents first, MirrorEvents second) {
        return new MirrorEvents() {
            @Override
            public void hit(String registry, Kind kind, long bytes) {
                first.hit(registry, kind, bytes);
                second.hit(registry, kind, bytes);
            }

            @Override
            public void miss(String registry, Kind kind) {
                first.miss(registry, kind);
                second.miss(registry, kind);
            }

            @Override
            public void received(String registry, long bytes) {
                first.received(registry, bytes);
                second.received(registry, bytes);
            }

            @Override
            public void accessRefused(String registry) {
                first.accessRefused(registry);
                second.accessRefused(registry);
            }

            @Override
            public void rangeServed(String registry, RangeSource source) {
                first.rangeServed(registry, source);
                second.rangeServed(registry, source);
            }

            @Override
            public void rangeRefused(String registry) {
                first.rangeRefused(registry);
                second.rangeRefused(registry);
            }
        };
    }

    /**
     * Reports only the bytes received from upstreams and refusals: for fetches no client asked for, which are no hit or
     * miss.
     */
    static MirrorEvents receivedOnly(MirrorEvents events) {
        return new ReceivedOnly(events::received, events::accessRefused);
    }

    /** What a client asked for. */
    enum Kind { MANIFEST, BLOB }

    /**
     * Where the bytes of a byte range of a mirrored blob came from: the cache, the blob's download under way, or a
     * range request of its own to the upstream (unverified, see docs/mirror.md).
     */
    enum RangeSource { CACHE, FILL, UPSTREAM }

    /**
     * A request for content mirrored from {@code registry} (a manifest's GET or HEAD, a blob's GET) was answered from
     * the cache with no upstream request; the content is {@code bytes} long.
     */
    void hit(String registry, Kind kind, long bytes);

    /** A request as for {@link #hit} needed the upstream: a fetch, a tag's revalidation, or joining a running fill. */
    void miss(String registry, Kind kind);

    /** {@code bytes} of manifest or blob bodies arrived from {@code registry}. */
    void received(String registry, long bytes);

    /**
     * {@code registry} refused berth a repository: 401 or 403 after the token flow, or its token service refused
     * berth's credentials.
     */
    default void accessRefused(String registry) {
    }

    /** A client's byte range (one part of a multi-range request each) of a blob mirrored from {@code registry}. */
    default void rangeServed(String registry, RangeSource source) {
    }

    /**
     * {@code registry} answered a range request with something other than exactly that range (another range, another
     * size, too many bytes), so the client's range followed the download instead.
     */
    default void rangeRefused(String registry) {
    }

    /** Events that report received bytes and refusals alone, to {@code received} and {@code refused}. */
    final class ReceivedOnly implements MirrorEvents {
        private final ObjLongConsumer<String> received;
        private final Consumer<String> refused;

        private ReceivedOnly(ObjLongConsumer<String> received, Consumer<String> refused) {
            this.received = received;
            this.refused = refused;
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

        @Override
        public void accessRefused(String registry) {
            refused.accept(registry);
        }
    }
}
