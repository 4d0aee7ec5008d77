package dev.berth.http;

import dev.berth.auth.Action;
import dev.berth.auth.Caller;
import dev.berth.auth.CallerAccess;
import dev.berth.auth.Tokens;
import dev.berth.config.BerthConfig;
import dev.berth.events.Act;
import dev.berth.oci.ErrorText;
import dev.berth.oci.OciError;
import dev.berth.oci.Reference;
import dev.berth.oci.RegistryException;
import dev.berth.registry.ManifestGate;
import dev.berth.registry.Registry;
import dev.berth.registry.Repository;
import dev.berth.registry.StoredManifest;
import dev.berth.registry.WritableRepository;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;
import java.util.Optional;

/** The OCI distribution API under {@code /v2}: parses the path into a {@link Route} and hands it to its handler. */
public final class RegistryApi implements HttpService {
    private final ManifestHandler manifests;
    private final BlobHandler blobs;
    private final UploadHandler uploads;
    private final ListingHandler listings;

    private final Registry registry;
    private final Acts acts;
    private final AccessControl access;
    private final TokenEndpoint tokenEndpoint;
    private final SearchEndpoint search;

    /**
     * The API over {@code registry}. With {@code auth.htpasswd} configured, {@code credentials} says who the caller
     * is and {@code tokens} signs the tokens of berth's token endpoint; {@code rules} says who may do what, and
     * {@code callers} what the upstreams that decide themselves ({@code access: caller}) grant a caller's own login;
     * {@code gate} says which manifests may be served. Pulls, pushes, deletes, mounts and logins are reported to
     * {@code acts}.
     */
    public RegistryApi(Registry registry, int maxManifestBytes, BerthConfig.Auth auth, CredentialsReader credentials,
                       Tokens tokens, RepositoryAccess rules, CallerAccess callers, ManifestGate gate, Acts acts) {
        this.registry = registry;
        this.acts = acts;
        this.access = new AccessControl(auth, credentials, rules, tokens.service(), acts);
        this.tokenEndpoint = auth.enabled()
                ? new TokenEndpoint(access, new TokenGrants(access, rules, callers), tokens) : null;
        this.manifests = new ManifestHandler(maxManifestBytes, gate);
        this.blobs = new BlobHandler();
        this.uploads = new UploadHandler();
        this.listings = new ListingHandler(registry);
        this.search = new SearchEndpoint(registry, access);
    }

    /** Docker's search API, for {@code /v1}: the same registry under the same access control as this API. */
    public HttpService search() {
        return search;
    }

    /** The token endpoint of the Docker token flow, for {@code /auth}: only when authentication is on. */
    public Optional<HttpService> tokenEndpoint() {
        return Optional.ofNullable(tokenEndpoint);
    }

    @Override
    public void routing(HttpRules rules) {
        EveryMethod.route(rules, this::dispatch);
    }

    private void dispatch(ServerRequest req, ServerResponse res) throws Exception {
        res.header(RegistryHeaders.API_VERSION);
        Method method = req.prologue().method();
        Route route = OciPath.parse(req.path().absolute().rawPath());
        Caller caller = access.authenticate(req);
        if (route instanceof Route.Base) {
            access.requireCredentials(req, caller);
            base(method, res);
            if (caller.proof() == Caller.Proof.PASSWORD) {
                // How docker login checks credentials against a registry that answers Basic challenges.
                acts.loggedIn(req, caller.principal());
            }
            return;
        }
        if (route instanceof Route.Catalog) {
            only(method, Method.GET);
            listings.catalog(req, res, name -> access.canPull(caller, name));
            return;
        }
        Route.Named named = (Route.Named) route;
        // containerd names the registry it mirrors in ?ns=; the router decides where the name lives.
        Repository repository = registry.repository(named.name(), Requests.query(req, "ns"));
        Optional<Act> act = reported(named, method, req);
        try {
            access.authorize(req, caller, named.name(), repository, actionOf(named, method));
            handle(named, method, repository, caller, req, res);
        } catch (RegistryException e) {
            act.ifPresent(a -> acts.refused(req, caller, a, named.name(),
                    named instanceof Route.Manifest m ? Optional.of(m.reference()) : Optional.empty(), e));
            throw e;
        }
    }

    private void handle(Route.Named named, Method method, Repository repository, Caller caller, ServerRequest req,
                        ServerResponse res) throws Exception {
        switch (named) {
            case Route.Tags tags -> {
                only(method, Method.GET);
                listings.tags(tags, repository, req, res);
            }
            case Route.Referrers referrers -> {
                only(method, Method.GET);
                listings.referrers(referrers, repository, req, res);
            }
            case Route.Manifest m -> {
                if (method == Method.GET || method == Method.HEAD) {
                    StoredManifest manifest = manifests.get(m, repository, req, res, method == Method.HEAD);
                    if (method == Method.GET) {
                        acts.pulled(req, caller, m.name(), m.reference(), manifest);
                    }
                } else if (method == Method.PUT) {
                    manifests.put(m, writable(repository), req, res, (digest, mediaType, size) ->
                            acts.pushed(req, caller, m.name(), m.reference(), digest, mediaType, size));
                } else {
                    only(method, Method.DELETE);
                    manifests.delete(m, writable(repository), res);
                    acts.deleted(req, caller, m.name(), m.reference());
                }
            }
            case Route.InvalidTag invalid -> invalidTag(invalid, method);
            case Route.Blob b -> {
                if (method == Method.GET) {
                    long sent = blobs.get(b, repository, req, res);
                    acts.blobRead(req, caller, b.name(), b.digest(), sent);
                } else if (method == Method.HEAD) {
                    blobs.head(b, repository, res);
                } else {
                    only(method, Method.DELETE);
                    blobs.delete(b, writable(repository), res);
                }
            }
            case Route.UploadStart start -> {
                only(method, Method.POST);
                uploads.start(start, writable(repository), from -> access.mountSource(caller, from), caller, req,
                        res).ifPresent(mount -> acts.mounted(req, caller, start.name(), mount.digest(), mount.from()));
            }
            case Route.Upload upload -> {
                if (method == Method.PATCH) {
                    uploads.patch(upload, writable(repository), req, res);
                } else if (method == Method.PUT) {
                    uploads.put(upload, writable(repository), req, res);
                } else if (method == Method.GET) {
                    uploads.status(upload, writable(repository), res);
                } else {
                    only(method, Method.DELETE);
                    uploads.cancel(upload, writable(repository), res);
                }
            }
        }
    }

    /**
     * The act a refusal of this request is audited as: a manifest's GET, PUT or DELETE and a mount (a HEAD, a blob, an
     * upload's chunk are steps of those, and a client's probes).
     */
    private static Optional<Act> reported(Route.Named route, Method method, ServerRequest req) {
        if (route instanceof Route.Manifest) {
            return method == Method.GET ? Optional.of(Act.PULL) : method == Method.PUT ? Optional.of(Act.PUSH)
                    : method == Method.DELETE ? Optional.of(Act.DELETE) : Optional.empty();
        }
        boolean mount = route instanceof Route.UploadStart && Requests.query(req, "mount").isPresent();
        return mount ? Optional.of(Act.MOUNT) : Optional.empty();
    }

    /** The write side of {@code repository}; DENIED when it has none (a mirrored repository is read-only). */
    private WritableRepository writable(Repository repository) {
        if (repository instanceof WritableRepository writable) {
            return writable;
        }
        throw registry.writeDenied(repository);
    }

    /**
     * What a request does to a repository: every upload request is part of a push (as distribution maps them, so a
     * pull-only user can neither watch nor cancel one); otherwise reads pull, deletes delete, everything else writes.
     */
    private static Action actionOf(Route.Named route, Method method) {
        if (route instanceof Route.UploadStart || route instanceof Route.Upload) {
            return Action.PUSH;
        }
        if (method == Method.GET || method == Method.HEAD) {
            return Action.PULL;
        }
        return method == Method.DELETE ? Action.DELETE : Action.PUSH;
    }

    /**
     * A manifest path whose reference is neither a digest nor a tag. Nothing can have been stored under it, so reads
     * and deletes find nothing without a lookup (404, as from distribution and as the conformance suite expects),
     * and a push is told that its tag is invalid.
     */
    private static void invalidTag(Route.InvalidTag route, Method method) {
        if (method == Method.PUT) {
            throw Reference.Tag.invalid(route.text());
        }
        if (method != Method.GET && method != Method.HEAD) {
            only(method, Method.DELETE);
        }
        throw new RegistryException(OciError.MANIFEST_UNKNOWN, "no manifest is named "
                + ErrorText.shorten(route.text()) + ": it is neither a tag nor a digest");
    }

    private static void base(Method method, ServerResponse res) {
        if (method != Method.GET && method != Method.HEAD) {
            only(method, Method.GET);
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        if (method == Method.HEAD) {
            res.header(HeaderNames.CONTENT_LENGTH, "2");
            res.send();
        } else {
            res.send(Json.bytes(Map.of()));
        }
    }

    private static void only(Method method, Method allowed) {
        if (method != allowed) {
            throw new RegistryException(OciError.UNSUPPORTED, method.text() + " is not supported here");
        }
    }
}
