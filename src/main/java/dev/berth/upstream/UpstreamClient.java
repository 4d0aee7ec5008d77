package dev.berth.upstream;

import dev.berth.config.BerthConfig;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * A client for one upstream registry, such as Docker Hub: manifests, blobs, tags and referrers through the distribution API,
 * with the registry's token flow. Absent content is an empty Optional; any other failure is an
 * {@link UpstreamException}. Thread-safe; make one per configured upstream.
 */
public final class UpstreamClient {
    /** How long a request may wait for the upstream's answer. */
    public enum Patience {
        /** The connect and read timeouts: nothing stands in for the answer. */
        FULL,
        /**
         * The upstream's {@code revalidate-timeout} for the whole exchange: a cached copy stands in, and is served
         * stale rather than kept waiting on an upstream that accepts connections but does not answer.
         */
        BRIEF
    }

    private final String registry;
    private final Duration revalidateTimeout;
    private final RateLimit rateLimit = new RateLimit();
    private final ManifestChecker manifestChecker;
    private final ManifestPuller manifestPuller;
    private final BlobChecker blobChecker;
    private final BlobPuller blobPuller;
    private final RangePuller rangePuller;
    private final TagLister tagLister;
    private final ReferrersLister referrersLister;
    private final CallerCheck callerCheck;

    /**
     * A client for {@code config}'s upstream. {@code shared} lends its connection pool and dispatcher; timeouts come
     * from the config. {@code clock} decides when tokens expire.
     */
    public UpstreamClient(BerthConfig.Upstream config, OkHttpClient shared, Clock clock) {
        this(config, shared, clock, UpstreamEvents.NONE);
    }

    /** As {@link #UpstreamClient(BerthConfig.Upstream, OkHttpClient, Clock)}, telling {@code events} of each answer. */
    public UpstreamClient(BerthConfig.Upstream config, OkHttpClient shared, Clock clock, UpstreamEvents events) {
        HttpUrl base = HttpUrl.parse(config.url());
        if (base == null) {
            throw new IllegalArgumentException("upstream " + config.registry() + ": url is not http(s): " + config.url());
        }
        this.registry = config.registry();
        this.revalidateTimeout = config.revalidateTimeout();
        OkHttpClient plain = shared.newBuilder()
                .connectTimeout(config.connectTimeout())
                .readTimeout(config.readTimeout())
                .build();
        Optional<String> basic = config.username().flatMap(user -> config.password()
                .map(password -> Credentials.basic(user, password)));
        V2Requests requests = new V2Requests(base);
        TokenAuthenticator auth = new TokenAuthenticator(requests, basic,
                new TokenService(plain, basic, base.isHttps(), config.maxDocumentBytes(), clock), new TokenCache(clock));
        OkHttpClient authenticated = plain.newBuilder()
                .authenticator(auth)
                .addInterceptor(auth)
                .followRedirects(true)
                .build();
        EndpointCaller caller = new EndpointCaller(authenticated, registry, rateLimit, clock, events,
                config.connectTimeout().plus(config.readTimeout()));
        this.manifestChecker = new ManifestChecker(caller, requests);
        this.manifestPuller = new ManifestPuller(caller, requests);
        this.blobChecker = new BlobChecker(caller, requests);
        this.blobPuller = new BlobPuller(caller, requests);
        this.rangePuller = new RangePuller(caller, requests, clock);
        LinkedPages pages = new LinkedPages(caller, requests, config.maxDocumentBytes());
        this.tagLister = new TagLister(caller, requests, pages);
        this.referrersLister = new ReferrersLister(caller, requests, pages);
        this.callerCheck = new CallerCheck(plain, requests, base.isHttps(), config.maxDocumentBytes(),
                config.revalidateTimeout(), clock, registry);
    }

    /** The configured registry name, e.g. {@code docker.io}. */
    public String registry() {
        return registry;
    }

    /**
     * The digest, media type and size of a manifest, by HEAD, waited for as {@code patience} says; empty when the
     * upstream does not have it.
     */
    public Optional<ManifestHead> headManifest(RepoName repository, Reference reference, Patience patience) {
        return manifestChecker.check(repository, reference, bound(patience));
    }

    /** A manifest's raw bytes, checked against every digest claimed for them; empty when the upstream lacks it. */
    public Optional<UpstreamManifest> getManifest(RepoName repository, Reference reference, int maxBytes) {
        return manifestPuller.pull(repository, reference, maxBytes);
    }

    /** A blob's size by HEAD (-1 when the upstream does not say); empty when the upstream lacks it. */
    public Optional<Long> headBlob(RepoName repository, Digest digest) {
        return blobChecker.check(repository, digest);
    }

    /** An open stream of a blob (one GET, redirects followed); empty when the upstream lacks it. Close it. */
    public Optional<UpstreamBlob> openBlob(RepoName repository, Digest digest) {
        return blobPuller.open(repository, digest);
    }

    /**
     * An open stream of exactly {@code length} bytes from {@code offset} of a blob of {@code size} bytes (one GET with
     * a Range), unverified; empty when the upstream is not asked (too many at once, or it ignored ranges lately) or
     * does not serve the range. An UpstreamException when it fails or its answer is not exactly that range. Close it.
     */
    public Optional<UpstreamBlob> openBlobRange(RepoName repository, Digest digest, long offset, long length,
                                                long size) {
        return rangePuller.open(repository, digest, offset, length, size);
    }

    /**
     * As {@link #openBlobRange(RepoName, Digest, long, long, long)}, for a blob whose size is not known yet:
     * {@code range} is a client's Range header; asked only when it names one closed range of at most {@code maxLength}
     * bytes, a suffix ({@code bytes=-n}) or starting after {@code firstAfter}; the answer's Content-Range tells the
     * size.
     */
    public Optional<UpstreamRange> openBlobRange(RepoName repository, Digest digest, String range, long firstAfter,
                                                 long maxLength) {
        return rangePuller.open(repository, digest, range, firstAfter, maxLength);
    }

    /**
     * The repository's tags, all pages, each page waited for as {@code patience} says; empty when the upstream does
     * not know the repository.
     */
    public Optional<List<String>> tags(RepoName repository, Patience patience) {
        return tagLister.list(repository, bound(patience));
    }

    /**
     * The descriptors the upstream's Referrers API lists for {@code subject}, all pages, each waited for as
     * {@code patience} says; empty when the upstream has no Referrers API (it answers 404, as Docker Hub does).
     */
    public Optional<List<Descriptor>> referrers(RepoName repository, Digest subject, Patience patience) {
        return referrersLister.list(repository, subject, bound(patience));
    }

    /**
     * What the upstream says of a caller's own login ({@code access: caller}): whether {@code user} may pull
     * {@code repository} (the upstream's name), or with none, whether the login is good. Berth's credentials play no
     * part; nothing of the password is kept.
     *
     * @throws UpstreamException when the upstream or its token service does not answer in time, or answers nonsense
     */
    public AccessAnswer askAccess(Optional<RepoName> repository, String user, String password) {
        return callerCheck.check(repository, user, password);
    }

    private Duration bound(Patience patience) {
        return patience == Patience.BRIEF ? revalidateTimeout : Duration.ZERO;
    }

    /** The latest {@code ratelimit-remaining} the upstream reported. */
    public OptionalLong rateLimitRemaining() {
        return rateLimit.remaining();
    }

    /** The latest {@code ratelimit-limit} the upstream reported. */
    public OptionalLong rateLimitLimit() {
        return rateLimit.limit();
    }

    @Override
    public String toString() {
        return "UpstreamClient[" + registry + "]";
    }
}
