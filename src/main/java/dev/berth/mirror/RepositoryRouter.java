package dev.berth.mirror;

import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.registry.LocalRegistry;
import dev.berth.registry.Registry;
import dev.berth.registry.Repository;
import java.util.List;
import java.util.Optional;

/**
 * Decides where a requested name lives, in this order: a name matching {@code private.repositories} is private;
 * containerd's {@code ns} parameter names the upstream; a first path component naming a configured registry does
 * ({@code ghcr.io/org/app}); otherwise the default upstream. With no upstream for it, a name is private. Private names
 * are served from local storage and never asked of an upstream; mirrored ones are read-only pull-through caches.
 * {@link MirrorService} builds it.
 */
public final class RepositoryRouter implements Registry {
    private final LocalRegistry local;
    private final PrivateNames privateNames;
    private final ConfiguredUpstreams upstreams;
    private final PullThroughShared shared;
    private final RefusedWrites refusedWrites;

    RepositoryRouter(LocalRegistry local, PrivateNames privateNames, ConfiguredUpstreams upstreams,
                     PullThroughShared shared) {
        this.local = local;
        this.privateNames = privateNames;
        this.upstreams = upstreams;
        this.shared = shared;
        this.refusedWrites = new RefusedWrites(privateNames.globs());
    }

    @Override
    public Repository repository(RepoName name, Optional<String> namespace) {
        if (privateNames.matches(name)) {
            return local.repository(name);
        }
        if (namespace.isPresent()) {
            return upstreams.repository(upstreams.byRegistry(namespace.get()), name, shared);
        }
        Optional<ConfiguredUpstreams.Named> named = upstreams.byRegistryName(name);
        if (named.isPresent()) {
            return upstreams.repository(named.get().upstream(), named.get().rest(), shared);
        }
        return upstreams.defaultUpstream().<Repository>map(upstream -> upstreams.repository(upstream, name, shared))
                .orElseGet(() -> local.repository(name));
    }

    /** Only private repositories have a write side: any other is a mirrored one, read-only here. */
    @Override
    public RegistryException writeDenied(Repository repository) {
        RepoName name = repository.name();
        return refusedWrites.refuse(name.toString(), upstreams.byRegistryName(name)
                .map(named -> named.upstream().registry()).orElse("its upstream"));
    }

    /** Private repositories and cached mirrored ones, the latter under their registry's name. */
    @Override
    public List<String> catalog() {
        return local.catalog();
    }
}
