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
