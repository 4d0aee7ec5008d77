package dev.berth.fleet;

import dev.berth.oci.Digest;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.registry.StoredManifest;
import dev.berth.upstream.UpstreamBlob;
import java.io.IOException;
import java.lang.System.Logger;
import java.net.URI;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Fetches what another member of the fleet owns from that owner, through its peer endpoint, so that the upstream is
 * asked by one instance only: the first live member by rank. What this instance owns, and what no owner could give,
 * it fetches from the upstream itself. An owner that cannot be reached is left out and the next one by rank asked.
 * The key of a blob or a manifest by digest is the digest (one owner whatever the repository), of a tag
 * {@code <cached name>:<tag>}.
 */
final class AskingOwners implements Owners {
    private static final Logger LOG = System.getLogger(AskingOwners.class.getName());

    private final Fleet fleet;
    private final PeerEvents events;
    private final int maxManifestBytes;

    /** Owners among {@code fleet}'s members, with their traffic reported to {@code events}. */
    AskingOwners(Fleet fleet, PeerEvents events, int maxManifestBytes) {
        this.fleet = fleet;
        this.events = events;
        this.maxManifestBytes = maxManifestBytes;
    }

    /** A berth alone: it owns everything, so no peer's answer is ever read. */
    static AskingOwners alone() {
        return new AskingOwners(Fleet.alone(), PeerEvents.NONE, 0);
    }

    @Override
    public RelayedBlob blob(RepoName cachedName, Digest digest, Supplier<UpstreamBlob> upstream,
                            BooleanSupplier linkedByOwner, Supplier<RegistryException> unknown) {
        return new RelayedBlob(digest, PeerProtocol.blobPath(cachedName, digest), this, upstream, linkedByOwner,
                unknown);
    }

    @Override
    public StoredManifest manifest(RepoName cachedName, Digest digest, Supplier<RegistryException> unknown,
                                   Supplier<StoredManifest> local) {
        return fetch(digest.toString(), PeerProtocol.manifestPath(cachedName, digest.toString()),
                PeerEvents.Kind.MANIFEST, answer -> PeerProtocol.manifest(answer, digest, maxManifestBytes, unknown),
                local);
    }

    @Override
    public StoredManifest tag(RepoName cachedName, String tag, Consumer<Duration> freshFor,
                              Supplier<RegistryException> unknown, Supplier<StoredManifest> local) {
        return fetch(cachedName + ":" + tag, PeerProtocol.manifestPath(cachedName, tag), PeerEvents.Kind.MANIFEST,
                answer -> {
                    PeerContent.OwnedManifest owned = PeerProtocol.tag(answer, maxManifestBytes, unknown);
                    freshFor.accept(owned.freshFor());
                    return owned.manifest();
                }, local);
    }

    /** Turns an owner's answer into a value; an IOException when the answer cannot serve. */
    @FunctionalInterface
    interface Reading<T> {
        T read(PeerClient.Answer answer) throws IOException;
    }

    /**
     * The value for {@code key}: read from the owner's answer to {@code path}, or from {@code local} when this
     * instance owns it or the owner's answer cannot serve. A RegistryException from {@code reading} (the owner says
     * the upstream lacks it) is thrown as it is.
     */
    <T> T fetch(String key, String path, PeerEvents.Kind kind, Reading<T> reading, Supplier<T> local) {
        for (URI member : fleet.ranked(key)) {
            if (fleet.isSelf(member)) {
                return local.get();
            }
            PeerClient.Answer answer;
            try {
                answer = fleet.client().get(member, path);
            } catch (IOException e) {
                LOG.log(Logger.Level.INFO, "fleet member " + member + " cannot be asked for " + key + ": " + e);
                fleet.unreachable(member);
                events.peerFallback(kind);
                continue;
            }
            try {
                T value = reading.read(answer);
                events.fetchedFromPeer(kind);
                return value;
            } catch (IOException e) {
                LOG.log(Logger.Level.INFO, "fleet member " + member + " did not give " + key + " (" + e.getMessage()
                        + "); fetching it here");
                closeQuietly(answer);
                events.peerFallback(kind);
                return local.get();
            } catch (RuntimeException e) {
                closeQuietly(answer);
                throw e;
            }
        }
        return local.get();
    }

    /** Where a relay's broken stream is reported. */
    PeerEvents events() {
        return events;
    }

    private static void closeQuietly(PeerClient.Answer answer) {
        try {
            answer.close();
        } catch (IOException e) {
            // The answer is given up anyway.
        }
    }
}
