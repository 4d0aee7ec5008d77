package dev.berth.mirror;

import dev.berth.cache.AccessIndex;
import dev.berth.config.BerthConfig;
import dev.berth.oci.Digest;
import dev.berth.oci.OciError;
import dev.berth.oci.Reference;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.registry.BlobContent;
import dev.berth.registry.LocalRegistry;
import dev.berth.registry.PeerContent;
import dev.berth.registry.Registry;
import dev.berth.registry.Repository;
import dev.berth.registry.RepositoryCache;
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
 * Decides where a requested name lives, in this order: a name matching {@code private.repositories} is private;
 * containerd's {@code ns} parameter names the upstream; a first path component naming a configured registry does
 * ({@code ghcr.io/org/app}); otherwise the default upstream. With no upstream for it, a name is private. Private names
 * are served from local storage and never asked of an upstream; mirrored ones are read-only pull-through caches.
 */
public final class RepositoryRouter implements Registry, PeerContent {
    private final LocalRegistry local;
    private final PrivateNames privateNames;
    private final Map<String, MirroredUpstream> upstreams = new LinkedHashMap<>();
    private final Optional<MirroredUpstream> defaultUpstream;
    private final PullThroughShared shared;
    private final RefusedWrites refusedWrites;

    /**
     * Routes over {@code local}, with one client per configured upstream made by {@code clients}; mirrored blobs and
     * manifests served are recorded in {@code access}, the size of each blob a download stored is told to
     * {@code stored}, and cache use is reported to {@code events}; what is not cached is fetched from its owner among
     * {@code owners}, or from the upstream.
     */
    public RepositoryRouter(BerthConfig config, LocalRegistry local, Function<BerthConfig.Upstream, UpstreamClient> clients,
                            Clock clock, AccessIndex access, LongConsumer stored, MirrorEvents events, Owners owners) {
        this.local = local;
        this.privateNames = new PrivateNames(config.privateRepos().repositories());
        for (BerthConfig.Upstream u : config.mirror().upstreams()) {
            upstreams.put(u.registry(), MirroredUpstream.of(u, clients.apply(u), clock));
        }
        this.defaultUpstream = config.mirror().defaultUpstream().map(u -> upstreams.get(u.registry()));
        this.shared = new PullThroughShared(new BlobFills(local.blobs(), stored), access::touch,
                config.limits().maxManifestBytes(), events, owners);
        this.refusedWrites = new RefusedWrites(privateNames.globs());
    }

    @Override
    public Repository repository(RepoName name, Optional<String> namespace) {
        if (privateNames.matches(name)) {
            return local.repository(name);
        }
        if (namespace.isPresent()) {
            MirroredUpstream upstream = upstreams.get(namespace.get());
            if (upstream == null) {
                throw new RegistryException(OciError.NAME_UNKNOWN, "berth does not mirror " + namespace.get()
                        + (upstreams.isEmpty() ? "" : "; it mirrors " + String.join(", ", upstreams.keySet())));
            }
            return mirrored(upstream, name);
        }
        Optional<Named> named = byRegistryName(name);
        if (named.isPresent()) {
            return mirrored(named.get().upstream(), named.get().rest());
        }
        return defaultUpstream.map(upstream -> mirrored(upstream, name)).orElseGet(() -> local.repository(name));
    }

    private Repository mirrored(MirroredUpstream upstream, RepoName requested) {
        return mirrored(upstream, requested, shared);
    }

    private PullThroughRepository mirrored(MirroredUpstream upstream, RepoName requested, PullThroughShared with) {
        RepoName upstreamName = upstream.upstreamName(requested);
        return new PullThroughRepository(upstreamName, local.cache(upstream.cachedName(upstreamName)), upstream, with);
    }

    /** Only private repositories have a write side: any other is a mirrored one, read-only here. */
    @Override
    public RegistryException writeDenied(Repository repository) {
        RepoName name = repository.name();
        return refusedWrites.refuse(name.toString(), mirroredFrom(name).orElse("its upstream"));
    }

    @Override
    public BlobContent blob(RepoName cachedName, Digest digest) {
        BlobContent blob = owned(cachedName).openBlob(digest);
        shared.owners().events().servedToPeer(MirrorEvents.Kind.BLOB);
        return blob;
    }

    @Override
    public OwnedManifest manifest(RepoName cachedName, Reference reference) {
        OwnedManifest manifest = owned(cachedName).owned(reference);
        shared.owners().events().servedToPeer(MirrorEvents.Kind.MANIFEST);
        return manifest;
    }

    /** The mirrored repository a peer names by its cached name, serving as the owner: never asking another peer. */
    private PullThroughRepository owned(RepoName cachedName) {
        Named named = byRegistryName(cachedName).orElseThrow(() -> new RegistryException(OciError.NAME_UNKNOWN,
                cachedName + " is not mirrored here"));
        return mirrored(named.upstream(), named.rest(), shared.asOwner());
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
        Optional<Named> named = byRegistryName(name);
        MirroredUpstream upstream;
        RepoName requested = name;
        if (named.isPresent()) {
            upstream = named.get().upstream();
            requested = named.get().rest();
        } else if (first.contains(".") || first.equals("localhost")) {
            throw new RegistryException(OciError.NAME_UNKNOWN, "berth mirrors no registry named " + first
                    + (upstreams.isEmpty() ? "" : "; it mirrors " + String.join(", ", upstreams.keySet())));
        } else {
            upstream = defaultUpstream.orElseThrow(() -> new RegistryException(OciError.NAME_UNKNOWN,
                    "no default upstream (mirror.upstreams[].default) serves " + name + "; name its registry, as in"
                    + " " + (upstreams.isEmpty() ? "ghcr.io" : upstreams.keySet().iterator().next()) + "/" + name));
        }
        RepoName upstreamName = upstream.upstreamName(requested);
        RepositoryCache cache = local.cache(upstream.cachedName(upstreamName));
        return new MirroredRepository(new PullThroughRepository(upstreamName, cache, upstream, shared.uncounted()),
                cache, upstream, upstreamName);
    }

    /** Private repositories and cached mirrored ones, the latter under their registry's name. */
    @Override
    public List<String> catalog() {
        return local.catalog();
    }

    /**
     * The registry that the stored repository {@code stored} (a catalog name) caches, or empty for a private one:
     * mirrored content is stored under its registry's name ({@code docker.io/library/busybox}).
     */
    public Optional<String> mirroredFrom(RepoName stored) {
        if (privateNames.matches(stored)) {
            return Optional.empty();
        }
        return byRegistryName(stored).map(named -> named.upstream().registry());
    }

    /** An upstream named by the first component of a name ({@code ghcr.io/org/app}), and the rest of the name. */
    private record Named(MirroredUpstream upstream, RepoName rest) {
    }

    /** The upstream whose registry is {@code name}'s first component, with the rest; empty when none is. */
    private Optional<Named> byRegistryName(RepoName name) {
        String value = name.value();
        int slash = value.indexOf('/');
        if (slash <= 0 || !upstreams.containsKey(value.substring(0, slash))) {
            return Optional.empty();
        }
        return Optional.of(new Named(upstreams.get(value.substring(0, slash)),
                RepoName.of(value.substring(slash + 1))));
    }

    /** The configured registry names, for the start-up log. */
    public List<String> upstreams() {
        return List.copyOf(upstreams.keySet());
    }

    /** What the mirror's own traffic last showed of each upstream, in configuration order; no upstream is asked. */
    public List<UpstreamState> upstreamStates() {
        return upstreams.values().stream()
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
