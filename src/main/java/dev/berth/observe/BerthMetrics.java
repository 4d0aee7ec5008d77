package dev.berth.observe;

import dev.berth.budget.BudgetEvents;
import dev.berth.events.DeliveryEvents;
import dev.berth.fleet.PeerEvents;
import dev.berth.http.RequestEvents;
import dev.berth.jobs.SyncEvents;
import dev.berth.mirror.MirrorEvents;
import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import dev.berth.trust.PolicyEvents;
import dev.berth.trust.SignatureState;
import dev.berth.upstream.UpstreamEvents;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * berth's own meters ({@code berth_*}): what the HTTP layer, the mirror and the upstream clients report through their
 * event interfaces, and gauges read at scrape time. They live in Helidon's global registry, next to the JVM's meters,
 * which {@code /observe/metrics} shows; Helidon's registries all share Micrometer's global one, so a server cannot
 * keep its own. Closing removes them, so that a server started later in the same JVM starts from zero and its gauges
 * do not read the closed server's state.
 */
public final class BerthMetrics implements RequestEvents, MirrorEvents, PeerEvents, UpstreamEvents, BudgetEvents,
        SyncEvents, PolicyEvents, DeliveryEvents, AutoCloseable {
    private static final String PREFIX = "berth_";

    private final MeterRegistry registry = Metrics.globalRegistry();
    private final AtomicLong mirroredBytes = new AtomicLong();

    /**
     * The counters used so far, by name and tags, and the request durations by kind: the registry's lookup builds a
     * meter and its id each time, which took about a sixth of berth's CPU in a request here, some of it before the
     * first byte of a cold blob.
     */
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> durations = new ConcurrentHashMap<>();
    /**
     * How many servers of this JVM closed, each removing berth's meters from the registry they all share: a server
     * still running then forgets the meters it kept, and registers them again at their next event.
     */
    private static final AtomicLong CLOSED = new AtomicLong();
    private volatile long closedSeen = CLOSED.get();

    /** The hot tier's read counts, by result, while berth runs. */
    private final Map<String, LongSupplier> hotTierReads = new ConcurrentHashMap<>();

    /**
     * Starts the GC counters at zero and the gauge of mirrored bytes; {@link #watchUpstream} and {@link #watchBudget} do the same for theirs. A series
     * that exists from the start lets {@code increase()} and {@code rate()} see the first event after a restart.
     */
    public BerthMetrics() {
        registry.getOrCreate(Gauge.builder("berth_cache_mirrored_bytes", () -> (double) mirroredBytes.get())
                .description("Bytes of evictable mirrored blobs and manifests, as the last housekeeping round (every"
                        + " minute) counted them, after its evictions when there is a budget"));
        gcRuns();
        gcRemovedLinks();
        gcRemovedBlobs();
        gcRemovedBytes();
    }

    @Override
    public void requestAnswered(RequestEvents.Kind kind, int status, Duration duration) {
        String kindTag = lower(kind);
        counter("berth_http_requests", "Requests answered, by kind and status",
                Tag.create("kind", kindTag), Tag.create("status", String.valueOf(status))).increment();
        forgetRemovedMeters();
        durations.computeIfAbsent(kindTag, k -> registry.getOrCreate(Timer.builder("berth_http_request_duration")
                .description("Time to answer a request, its body included, by kind")
                .tags(List.of(Tag.create("kind", k))))).record(duration);
    }

    @Override
    public void hit(String upstream, MirrorEvents.Kind kind, long bytes) {
        hits(upstream, kind).increment();
        hitBytes(upstream, kind).increment(bytes);
    }

    @Override
    public void miss(String upstream, MirrorEvents.Kind kind) {
        misses(upstream, kind).increment();
    }

    @Override
    public void received(String upstream, long bytes) {
        receivedBytes(upstream).increment(bytes);
    }

    @Override
    public void rangeServed(String upstream, MirrorEvents.RangeSource source) {
        ranges(upstream, source).increment();
    }

    @Override
    public void rangeRefused(String upstream) {
        rangesRefused(upstream).increment();
    }

    @Override
    public void upstreamAnswered(String upstream, int status) {
        upstreamRequests(upstream).increment();
        // The upstream in trouble, rather than an answer about content: no answer at all, 429 or a 5xx.
        if (status == 0 || status == 429 || status >= 500) {
            upstreamErrors(upstream).increment();
        }
    }

    @Override
    public void accessRefused(String upstream) {
        accessRefusals(upstream).increment();
    }

    @Override
    public void credentialsRefused(String upstream) {
        upstreamErrors(upstream).increment();
    }

    /**
     * Shows {@code remaining}, the upstream's last {@code ratelimit-remaining}, as a gauge (NaN until it sends one),
     * and starts the upstream's and its cache's counters at zero.
     */
    public void watchUpstream(String upstream, Supplier<OptionalLong> remaining) {
        registry.getOrCreate(Gauge.builder("berth_upstream_ratelimit_remaining", () -> {
            OptionalLong value = remaining.get();
            return value.isPresent() ? (double) value.getAsLong() : Double.NaN;
        }).description("Pulls the upstream last said are left (Docker Hub's ratelimit-remaining)")
                .tags(List.of(registryTag(upstream))));
        upstreamRequests(upstream);
        upstreamErrors(upstream);
        accessRefusals(upstream);
        receivedBytes(upstream);
        for (MirrorEvents.Kind kind : MirrorEvents.Kind.values()) {
            hits(upstream, kind);
            hitBytes(upstream, kind);
            misses(upstream, kind);
        }
        for (MirrorEvents.RangeSource source : MirrorEvents.RangeSource.values()) {
            ranges(upstream, source);
        }
        rangesRefused(upstream);
    }

    @Override
    public void budgetRound(long usedBytes, int evicted, long evictedBytes) {
        mirroredBytes.set(usedBytes - evictedBytes);
        evictedBlobs().increment(evicted);
        evictedBytes().increment(evictedBytes);
    }

    /** Shows the disk budget ({@code cache.max-bytes}) as a gauge, and starts the eviction counters at zero. */
    public void watchBudget(long maxBytes) {
        registry.getOrCreate(Gauge.builder("berth_cache_budget_bytes", () -> (double) maxBytes)
                .description("The budget for mirrored blobs and manifests (cache.max-bytes)"));
        evictedBlobs();
        evictedBytes();
    }

    /** Counts one garbage collection and what it removed. */
    public void collected(int links, int blobs, long bytes) {
        gcRuns().increment();
        gcRemovedLinks().increment(links);
        gcRemovedBlobs().increment(blobs);
        gcRemovedBytes().increment(bytes);
    }

    @Override
    public void fetchedFromPeer(PeerEvents.Kind kind) {
        fetchedFromPeers(kind).increment();
    }

    @Override
    public void servedToPeer(PeerEvents.Kind kind) {
        servedToPeers(kind).increment();
    }

    @Override
    public void peerFallback(PeerEvents.Kind kind) {
        peerFallbacks(kind).increment();
    }

    /** Starts the fleet's counters at zero, and shows {@code live}, the members that answer, as a gauge. */
    public void watchFleet(IntSupplier live) {
        registry.getOrCreate(Gauge.builder("berth_fleet_members_live", () -> live.getAsInt())
                .description("Members of the fleet that answer, this instance included"));
        for (PeerEvents.Kind kind : PeerEvents.Kind.values()) {
            fetchedFromPeers(kind);
            servedToPeers(kind);
            peerFallbacks(kind);
        }
    }

    @Override
    public void synced(String repository, int tags, int failed) {
        Tag tag = Tag.create("repository", repository);
        counter("berth_sync_rounds", "Rounds of mirror.sync entries run by this instance", tag).increment();
        counter("berth_sync_failed_tags", "Tags a sync round could not cache", tag).increment(failed);
    }

    @Override
    public void verified(RepoName repository, Digest digest) {
        policyPulls("verified").increment();
    }

    @Override
    public void warned(RepoName repository, Digest digest, SignatureState state) {
        policyPulls("warned").increment();
    }

    @Override
    public void refused(RepoName repository, Digest digest, SignatureState state) {
        policyPulls("refused").increment();
    }

    /** Starts the signature policy's counters at zero, where a policy is configured. */
    public void watchPolicy() {
        List.of("verified", "warned", "refused").forEach(this::policyPulls);
    }

    private Counter policyPulls(String result) {
        return counter("berth_policy_pulls", "Image manifests requested under a signature policy, by result:"
                + " verified, warned (served unsigned) or refused", Tag.create("result", result));
    }

    /** Shows {@code running}, the blob downloads under way, as a gauge. */
    public void watchBlobFills(IntSupplier running) {
        registry.getOrCreate(Gauge.builder("berth_blob_fills_in_flight", () -> running.getAsInt())
                .description("Blob downloads from upstreams under way, each shared by all its clients"));
    }

    /**
     * Shows the hot tier in front of the bucket: blob reads it served ({@code hits}) and those that went to the
     * bucket ({@code misses}), counted by the tier, and the bytes it holds.
     */
    public void watchHotTier(LongSupplier hits, LongSupplier misses, LongSupplier bytes) {
        // Held here: the registry holds a functional counter's state weakly, and would read 0 once it is collected.
        hotTierReads.put("hit", hits);
        hotTierReads.put("miss", misses);
        for (Map.Entry<String, LongSupplier> reads : hotTierReads.entrySet()) {
            registry.getOrCreate(FunctionalCounter.builder("berth_hot_tier_reads", reads.getValue(),
                    LongSupplier::getAsLong).description("Blob reads on a store with a hot tier, by result: hit"
                    + " (from local disk) or miss (a GET of the bucket)").tags(List.of(Tag.create("result",
                    reads.getKey()))));
        }
        registry.getOrCreate(Gauge.builder("berth_hot_tier_bytes", () -> (double) bytes.getAsLong())
                .description("Bytes of blobs the hot tier holds (storage.s3.local-cache.max-bytes)"));
    }

    /** Reports the client connections open now (limits.max-connections caps them). */
    public void watchConnections(IntSupplier open) {
        registry.getOrCreate(Gauge.builder("berth_connections_open", () -> open.getAsInt())
                .description("Client connections open now, idle ones included"));
    }

    @Override
    public void sent(String endpoint, int events) {
        notificationsSent(endpoint).increment(events);
    }

    @Override
    public void failed(String endpoint) {
        notificationsFailed(endpoint).increment();
    }

    @Override
    public void dropped(String endpoint, int events) {
        notificationsDropped(endpoint).increment(events);
    }

    @Override
    public void watchQueue(String endpoint, IntSupplier queued) {
        registry.getOrCreate(Gauge.builder("berth_notifications_queued", () -> queued.getAsInt())
                .description("Events waiting on disk for a notification endpoint")
                .tags(List.of(endpointTag(endpoint))));
        notificationsSent(endpoint);
        notificationsFailed(endpoint);
        notificationsDropped(endpoint);
    }

    @Override
    public void auditLost(int lines) {
        counter("berth_audit_lost_lines", "Audit lines lost: the queue was full or they could not be written")
                .increment(lines);
    }

    @Override
    public void close() {
        CLOSED.incrementAndGet();
        registry.meters(meter -> meter.id().name().startsWith(PREFIX)).forEach(registry::remove);
    }

    /** Forgets the meters kept when a server closed since, as they are no longer in the registry. */
    private void forgetRemovedMeters() {
        long closed = CLOSED.get();
        if (closed != closedSeen) {
            closedSeen = closed;
            counters.clear();
            durations.clear();
        }
    }

    private Counter hits(String upstream, MirrorEvents.Kind kind) {
        return counter("berth_cache_hits", "Mirrored manifests and blobs answered from the cache alone",
                registryTag(upstream), Tag.create("kind", lower(kind)));
    }

    private Counter hitBytes(String upstream, MirrorEvents.Kind kind) {
        return counter("berth_cache_hit_bytes", "Size of the mirrored content answered from the cache alone",
                registryTag(upstream), Tag.create("kind", lower(kind)));
    }

    private Counter misses(String upstream, MirrorEvents.Kind kind) {
        return counter("berth_cache_misses", "Mirrored manifests and blobs that needed the upstream",
                registryTag(upstream), Tag.create("kind", lower(kind)));
    }

    private Counter ranges(String upstream, MirrorEvents.RangeSource source) {
        return counter("berth_blob_ranges", "Byte ranges of mirrored blobs served, by where their bytes came from:"
                + " cache, the blob's download (fill), or a range request of their own to the upstream",
                registryTag(upstream), Tag.create("source", lower(source)));
    }

    private Counter rangesRefused(String upstream) {
        return counter("berth_upstream_ranges_refused", "Upstream range answers refused since they were not exactly"
                + " the range asked; the client's range followed the download", registryTag(upstream));
    }

    private Counter receivedBytes(String upstream) {
        return counter("berth_upstream_received_bytes", "Bytes of manifests and blobs downloaded from the upstream",
                registryTag(upstream));
    }

    private Counter upstreamRequests(String upstream) {
        return counter("berth_upstream_requests", "Requests to the upstream's registry API (token fetches aside)",
                registryTag(upstream));
    }

    private Counter upstreamErrors(String upstream) {
        return counter("berth_upstream_errors",
                "Upstream requests that got no answer, 429, a 5xx, or a refusal of berth's credentials",
                registryTag(upstream));
    }

    private Counter accessRefusals(String upstream) {
        return counter("berth_upstream_access_refused", "Upstream refusals of a repository to berth: 401 or 403"
                + " after the token flow, or berth's credentials refused by its token service", registryTag(upstream));
    }

    private Counter fetchedFromPeers(PeerEvents.Kind kind) {
        return counter("berth_peer_fetched", "Manifests and blobs fetched from their owner in the fleet",
                Tag.create("kind", lower(kind)));
    }

    private Counter servedToPeers(PeerEvents.Kind kind) {
        return counter("berth_peer_served", "Manifests and blobs this instance, their owner, served to another",
                Tag.create("kind", lower(kind)));
    }

    private Counter peerFallbacks(PeerEvents.Kind kind) {
        return counter("berth_peer_fallbacks", "Owners that could not be reached or whose answer or stream broke, so"
                + " that this instance asked the next owner or the upstream itself", Tag.create("kind", lower(kind)));
    }

    private Counter evictedBlobs() {
        return counter("berth_cache_evicted_blobs",
                "Mirrored blobs and manifests evicted to keep within cache.max-bytes");
    }

    private Counter evictedBytes() {
        return counter("berth_cache_evicted_bytes", "Bytes of the mirrored blobs and manifests evicted");
    }

    private Counter gcRuns() {
        return counter("berth_gc_runs", "Garbage collections run");
    }

    private Counter gcRemovedLinks() {
        return counter("berth_gc_removed_links", "Repository links to blobs removed by garbage collection");
    }

    private Counter gcRemovedBlobs() {
        return counter("berth_gc_removed_blobs", "Blobs removed by garbage collection");
    }

    private Counter gcRemovedBytes() {
        return counter("berth_gc_removed_bytes", "Bytes of the blobs removed by garbage collection");
    }

    private Counter counter(String name, String description, Tag... tags) {
        List<String> key = new ArrayList<>(1 + 2 * tags.length);
        key.add(name);
        for (Tag tag : tags) {
            key.add(tag.key());
            key.add(tag.value());
        }
        forgetRemovedMeters();
        return counters.computeIfAbsent(key, k -> registry.getOrCreate(Counter.builder(name).description(description)
                .tags(List.of(tags))));
    }

    private Counter notificationsSent(String endpoint) {
        return counter("berth_notifications_sent", "Events delivered to a notification endpoint",
                endpointTag(endpoint));
    }

    private Counter notificationsFailed(String endpoint) {
        return counter("berth_notifications_failed", "POSTs to a notification endpoint that failed and are retried",
                endpointTag(endpoint));
    }

    private Counter notificationsDropped(String endpoint) {
        return counter("berth_notifications_dropped", "Events for a notification endpoint dropped unsent: its queue"
                + " was full or could not be written", endpointTag(endpoint));
    }

    private static Tag endpointTag(String endpoint) {
        return Tag.create("endpoint", endpoint);
    }

    private static Tag registryTag(String upstream) {
        return Tag.create("registry", upstream);
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
