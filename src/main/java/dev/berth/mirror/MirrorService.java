package dev.berth.mirror;

import dev.berth.budget.AccessIndex;
import dev.berth.config.BerthConfig;
import dev.berth.fleet.Owners;
import dev.berth.fleet.PeerContent;
import dev.berth.oci.Digest;
import dev.berth.oci.OciError;
import dev.berth.oci.Reference;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.registry.BlobContent;
import dev.berth.registry.LocalRegistry;
import dev.berth.upstream.AccessAnswer;
import dev.berth.upstream.UpstreamClient;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * The mirror as the rest of the server sees it, built once by the assembly: its {@link RepositoryRouter} for the
 * registry API; mirrored repositories for fetching ahead of demand (warm jobs, sync); what it serves its fleet's
 * peers as their owner; which registry a stored repository mirrors (the page); the upstreams' states (health,
 * metrics); and the blob downloads in flight (metrics, shutdown).
 */
public final class MirrorService implements PeerContent {
    private final PrivateNames privateNames;
    private final ConfiguredUpstreams upstreams;
    private final PullThroughShared shared;
    private final RepositoryRouter router;
    private final Map<String, Duration> callerAccess = new LinkedHashMap<>();

    /**
     * The mirror over {@code local}, with one client per configured upstream made by {@code clients}; mirrored blobs
     * and manifests served are recorded in {@code access}, the size of each blob a download stored is told to
     * {@code stored}, and cache use is reported to {@code events}; what is not cached is fetched from its owner among
     * {@code owners}, or from the upstream.
     */
    public MirrorService(BerthConfig config, LocalRegistry local,
                         Function<BerthConfig.Upstream, UpstreamClient> clients, Clock clock, AccessIndex access,
                         LongConsumer stored, MirrorEvents events, Owners owners) {
        this.privateNames = new PrivateNames(config.privateRepos().repositories());
        this.upstreams = new ConfiguredUpstreams(config.mirror().upstreams().stream()
                .map(u -> MirroredUpstream.of(u, clients.apply(u), clock)).toList(),
                config.mirror().defaultUpstream().map(BerthConfig.Upstream::registry), local);
        FillMemory memory = FillMemory.forHeap(Runtime.getRuntime().maxMemory());
        SharedRanges ranges = SharedRanges.forHeap(Runtime.getRuntime().maxMemory(), clock);
        this.shared = new PullThroughShared(new BlobFills(local.blobs(), stored, memory, ranges::downloaded), ranges,
                access::touch,
                config.limits().maxManifestBytes(), events, owners);
        this.router = new RepositoryRouter(local, privateNames, upstreams, shared);
        config.mirror().upstreams().stream().filter(u -> u.access() == BerthConfig.Access.CALLER)
                .forEach(u -> callerAccess.put(u.registry(), u.accessTtl()));
    }

    /** Routes the names the registry API is asked for to private or mirrored repositories. */
    public RepositoryRouter router() {
        return router;
    }

    @Override
    public BlobContent blob(RepoName cachedName, Digest digest) {
        return owned(cachedName).openBlob(digest);
    }

    @Override
    public OwnedManifest manifest(RepoName cachedName, Reference reference) {
        return owned(cachedName).owned(reference);
    }

    /** The mirrored repository a peer names by its cached name, serving as the owner: never asking another peer. */
    private PullThroughRepository owned(RepoName cachedName) {
        ConfiguredUpstreams.Named named = upstreams.byRegistryName(cachedName).orElseThrow(() ->
                new RegistryException(OciError.NAME_UNKNOWN, cachedName + " is not mirrored here"));
        return upstreams.repository(named.upstream(), named.rest(), shared.asOwner());
    }

    /**
     * The mirrored repository an image name as users write it stands for ({@code busybox}, {@code library/busybox}:
     * the default upstream's; {@code ghcr.io/org/app}: the upstream named ghcr.io), for fetching ahead of demand
     * through the same downloads as clients, uncounted as client traffic. NAME_UNKNOWN when no configured upstream
     * serves it: a private name, a registry host berth does not mirror, or no default upstream.
     */
    public MirroredRepository ahead(RepoName name) {
        if (privateNames.matches(name)) {
            throw new RegistryException(OciError.NAME_UNKNOWN, name + " is private (private.repositories): it is"
                    + " pushed to berth, never fetched from an upstream");
        }
        String value = name.value();
        int slash = value.indexOf('/');
        String first = slash > 0 ? value.substring(0, slash) : "";
        Optional<ConfiguredUpstreams.Named> named = upstreams.byRegistryName(name);
        MirroredUpstream upstream;
        RepoName requested = name;
        if (named.isPresent()) {
            upstream = named.get().upstream();
            requested = named.get().rest();
        } else if (first.contains(".") || first.equals("localhost")) {
            throw new RegistryException(OciError.NAME_UNKNOWN, "berth mirrors no registry named " + first
                    + upstreams.mirrorsWhich());
        } else {
            List<String> registries = upstreams.registries();
            upstream = upstreams.defaultUpstream().orElseThrow(() -> new RegistryException(OciError.NAME_UNKNOWN,
                    "no default upstream (mirror.upstreams[].default) serves " + name + "; name its registry, as in"
                    + " " + (registries.isEmpty() ? "ghcr.io" : registries.getFirst()) + "/" + name));
        }
        return new MirroredRepository(upstreams.repository(upstream, requested, shared.uncounted()));
    }

    /**
     * The registry that the stored repository {@code stored} (a catalog name) caches, or empty for a private one:
     * mirrored content is stored under its registry's name ({@code docker.io/library/busybox}).
     */
    public Optional<String> mirroredFrom(RepoName stored) {
        if (privateNames.matches(stored)) {
            return Optional.empty();
        }
        return upstreams.byRegistryName(stored).map(named -> named.upstream().registry());
    }

    /**
     * The {@code access: caller} upstream that decides who may pull the stored repository {@code stored} (a cached
     * name, such as {@code ghcr.io/org/app}), with the name it has there; empty when berth's own rules decide.
     */
    public Optional<CallerUpstream> callerUpstream(RepoName stored) {
        if (privateNames.matches(stored)) {
            return Optional.empty();
        }
        return upstreams.byRegistryName(stored).filter(named -> callerAccess.containsKey(named.upstream().registry()))
                .map(named -> new CallerUpstream(named.upstream().registry(), Optional.of(named.rest()),
                        callerAccess.get(named.upstream().registry())));
    }

    /** The {@code access: caller} upstreams, in configuration order (no repository: the login alone). */
    public List<CallerUpstream> callerUpstreams() {
        return callerAccess.entrySet().stream().map(e -> new CallerUpstream(e.getKey(), Optional.empty(), e.getValue()))
                .toList();
    }

    /**
     * What the upstream {@code registry} says of a caller's own login: whether {@code user} may pull
     * {@code upstreamName} there (empty: whether the login is good). See {@link UpstreamClient#askAccess}.
     *
     * @throws dev.berth.upstream.UpstreamException when the upstream cannot tell in time
     */
    public AccessAnswer askUpstream(String registry, Optional<RepoName> upstreamName, String user, String password) {
        return upstreams.byRegistry(registry).client().askAccess(upstreamName, user, password);
    }

    /** What the mirror's own traffic last showed of each upstream, in configuration order; no upstream is asked. */
    public List<UpstreamState> upstreamStates() {
        return upstreams.all().stream()
                .map(u -> new UpstreamState(u.registry(), u.failures().problem()))
                .toList();
    }

    /** How many blob downloads from upstreams run now (each shared by every client of its digest). */
    public int blobFillsInFlight() {
        return shared.fills().inFlight();
    }

    /**
     * Waits, for at most {@code timeout}, until the blob downloads running now are stored (or failed): on a clean stop,
     * what clients were sent whole is kept. False if some still run.
     */
    public boolean awaitBlobFills(Duration timeout) throws InterruptedException {
        return shared.fills().awaitEnd(timeout);
    }
}
