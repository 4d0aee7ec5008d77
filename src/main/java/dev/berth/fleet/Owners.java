package dev.berth.fleet;

import dev.berth.oci.Digest;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.registry.StoredManifest;
import dev.berth.upstream.UpstreamBlob;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What the mirror asks of the fleet: a blob or manifest it lacks, from the member that owns it, which fetches it from
 * the upstream once for every instance; or, when this instance owns it or no owner's answer can serve, from
 * {@code local}, where a berth alone gets it. A 404 from the owner (the upstream lacks it) is {@code unknown}'s error.
 */
public interface Owners {
    /**
     * The source of a blob's fill: the owner's stream, continued from {@code upstream} if it breaks, or
     * {@code upstream} alone; {@code linkedByOwner} says whether the owner stored and linked it.
     */
    RelayedBlob blob(RepoName cachedName, Digest digest, Supplier<UpstreamBlob> upstream, BooleanSupplier linkedByOwner,
                     Supplier<RegistryException> unknown);

    /** The manifest {@code digest}, checked against it (the owner stored and linked it), else {@code local}'s. */
    StoredManifest manifest(RepoName cachedName, Digest digest, Supplier<RegistryException> unknown,
                            Supplier<StoredManifest> local);

    /**
     * The manifest {@code tag} points at, from the tag's owner, which revalidates it; {@code freshFor} is told how long
     * the owner trusts the tag still, so the fleet asks the upstream once per tag TTL. Else {@code local}'s.
     */
    StoredManifest tag(RepoName cachedName, String tag, Consumer<Duration> freshFor,
                       Supplier<RegistryException> unknown, Supplier<StoredManifest> local);

    /** A berth alone, or an owner serving a peer: everything from {@code local}, never from another instance. */
    static Owners alone() {
        return AskingOwners.alone();
    }
}
