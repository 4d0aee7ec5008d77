package dev.berth.http;

import dev.berth.auth.Caller;
import dev.berth.auth.Principal;
import dev.berth.events.Act;
import dev.berth.events.Event;
import dev.berth.events.Events;
import dev.berth.events.Origin;
import dev.berth.events.Target;
import dev.berth.oci.Digest;
import dev.berth.oci.Reference;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.registry.StoredManifest;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.time.Clock;
import java.util.Optional;

/**
 * The one place the HTTP layer reports the registry's acts (to notifications and the audit trail): a pull, push,
 * delete or mount once answered, the same refused, a blob read, a login and a refused one; each with who, from where
 * (the client behind any trusted proxy) and how. Mirrored and private repositories alike: the request names them.
 */
public final class Acts {
    private final Events events;
    private final Clock clock;

    /** Reports to {@code events}, at {@code clock}'s time. */
    public Acts(Events events, Clock clock) {
        this.events = events;
        this.clock = clock;
    }

    /** A manifest sent for a GET of {@code reference}. */
    void pulled(ServerRequest req, Caller caller, RepoName name, Reference reference, StoredManifest manifest) {
        report(req, actor(caller), Act.PULL, Target.manifest(name.value(), tag(reference),
                manifest.digest().toString(), manifest.mediaType(), manifest.bytes().length), Event.OK);
    }

    /** A manifest of {@code size} bytes stored as {@code digest}, under {@code reference}. */
    void pushed(ServerRequest req, Caller caller, RepoName name, Reference reference, Digest digest, String mediaType,
                long size) {
        report(req, actor(caller), Act.PUSH, Target.manifest(name.value(), tag(reference), digest.toString(),
                mediaType, size), Event.OK);
    }

    /** A manifest, or a tag, removed. */
    void deleted(ServerRequest req, Caller caller, RepoName name, Reference reference) {
        report(req, actor(caller), Act.DELETE, named(name, reference), Event.OK);
    }

    /** A tag ({@code tag} present) or a manifest removed by an administrator through the admin API. */
    public void deletedByAdmin(ServerRequest req, Principal who, RepoName name, Optional<String> tag,
                               Optional<Digest> digest) {
        Target target = Target.repository(name.value()).withTag(tag);
        report(req, who.user(), Act.DELETE, digest.map(d -> target.withDigest(d.toString())).orElse(target),
                Event.OK);
    }

    /** A tag pinned against eviction ({@code pinned}), or unpinned, by an administrator. */
    public void pinned(ServerRequest req, Principal who, RepoName name, String tag, boolean pinned) {
        report(req, who.user(), pinned ? Act.PIN : Act.UNPIN, Target.repository(name.value()).withTag(Optional.of(tag)),
                Event.OK);
    }

    /** An image of {@code repository} ({@code reference}) put in a warm job by {@code who}. */
    public void warmed(ServerRequest req, Principal who, String repository, Reference reference) {
        report(req, who.user(), Act.WARM, named(repository, reference), Event.OK);
    }

    /** The access token {@code name} created ({@code created}) or revoked by {@code who}. */
    public void accessToken(ServerRequest req, Principal who, String name, boolean created) {
        report(req, who.user(), created ? Act.TOKEN_CREATED : Act.TOKEN_REVOKED,
                Target.repository("").withTag(Optional.of(name)), Event.OK);
    }

    /** A blob linked from {@code from} instead of uploaded. */
    void mounted(ServerRequest req, Caller caller, RepoName name, Digest digest, RepoName from) {
        report(req, actor(caller), Act.MOUNT, Target.repository(name.value()).withDigest(digest.toString())
                .withFrom(from.value()), Event.OK);
    }

    /** {@code bytes} of a blob sent (for the audit's summary of a pull). */
    void blobRead(ServerRequest req, Caller caller, RepoName name, Digest digest, long bytes) {
        report(req, actor(caller), Act.BLOB_PULL, Target.repository(name.value()).withDigest(digest.toString())
                .withSize(bytes), Event.OK);
    }

    /** {@code act} on {@code reference} (absent: the repository) refused with {@code error}. */
    void refused(ServerRequest req, Caller caller, Act act, RepoName name, Optional<Reference> reference,
                 RegistryException error) {
        Target target = reference.map(r -> named(name, r)).orElse(Target.repository(name.value()));
        report(req, actor(caller), act, target, error.error().name());
    }

    /** Credentials accepted where a client logs in. */
    public void loggedIn(ServerRequest req, Principal who) {
        report(req, who.user(), Act.LOGIN, Target.repository(""), Event.OK);
    }

    /** Credentials refused, for the account {@code user} when the request named one, because of {@code reason}. */
    public void loginFailed(ServerRequest req, Optional<String> user, String reason) {
        report(req, user, Act.LOGIN_FAILED, Target.repository(""), reason);
    }

    private void report(ServerRequest req, Optional<String> actor, Act act, Target target, String result) {
        events.report(new Event(Event.newId(), clock.instant(), act, target, origin(req), actor, result));
    }

    private static Origin origin(ServerRequest req) {
        RequestClient client = RequestClient.of(req);
        return new Origin(Event.newId(), client.address(), req.headers().first(HeaderNames.HOST).orElse(""),
                req.prologue().method().text(), req.headers().first(HeaderNames.USER_AGENT).orElse(""),
                client.https());
    }

    /** Who acted: the user who logged in; empty for anonymous callers. */
    private static Optional<String> actor(Caller caller) {
        return caller.principal().user();
    }

    private static Optional<String> tag(Reference reference) {
        return reference instanceof Reference.Tag tag ? Optional.of(tag.name()) : Optional.empty();
    }

    private static Target named(RepoName name, Reference reference) {
        return named(name.value(), reference);
    }

    private static Target named(String repository, Reference reference) {
        Target target = Target.repository(repository);
        return reference instanceof Reference.ByDigest digest ? target.withDigest(digest.value().toString())
                : target.withTag(tag(reference));
    }
}
