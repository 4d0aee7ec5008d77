package dev.berth.support;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * Docker Hub played by two MockWebServers: a registry serving seeded images to Bearer tokens only, and the token
 * service its challenges name as realm. It answers as Hub does (401 with a challenge when no token is sent, 401
 * {@code insufficient_scope} for repositories it does not have) and logs every request, so tests can count per path.
 * Without a token service it plays an anonymous registry (404 for unknown repositories).
 */
public final class MockHub {
    /** Docker Hub's token service name. */
    public static final String DOCKER_HUB_SERVICE = "registry.docker.io";

    private static final Pattern SINGLE_RANGE = Pattern.compile("bytes=(\\d*)-(\\d+)");
    private static final Pattern V2_PATH = Pattern.compile("/v2/(.+)/(manifests|blobs|tags|referrers)/([^/]+)");
    /** The suffix of an override's key that only requests without a Range header take. */
    private static final String WHOLE = " (whole)";

    /** A manifest as the hub stores it. */
    public record Manifest(byte[] bytes, String mediaType, Digest digest) {
    }

    /** A seeded image: its manifest, and the config and layers it lists. */
    public record Image(String repository, byte[] manifest, Digest digest, byte[] config, List<byte[]> layers) {
        /** The digest as a reference, for paths. */
        public String ref() {
            return digest.toString();
        }
    }

    /** One repository's content. */
    private static final class Repo {
        final Map<String, Digest> tags = new ConcurrentHashMap<>();
        final Map<Digest, Manifest> manifests = new ConcurrentHashMap<>();
        final Map<Digest, byte[]> blobs = new ConcurrentHashMap<>();
    }

    private final MockWebServer registry;
    private final MockWebServer auth;
    private final String service;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, String> tokenScopes = new ConcurrentHashMap<>();
    private final Map<String, Queue<Supplier<MockResponse>>> overrides = new ConcurrentHashMap<>();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final List<String> ranges = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger tokenSerial = new AtomicInteger();
    private volatile Duration tokenLifetime = Duration.ofMinutes(60);
    private volatile Supplier<MockResponse> outage;
    private volatile String credentials;
    /** Basic credentials of the users the token service knows, and the repositories each may pull. */
    private final Map<String, Set<String>> users = new ConcurrentHashMap<>();
    private final Map<String, String> userNames = new ConcurrentHashMap<>();
    private final List<String> tokenLog = Collections.synchronizedList(new ArrayList<>());
    private volatile Supplier<MockResponse> tokenOutage;

    /** A hub on {@code registry} whose tokens come from {@code auth}; a null {@code auth} serves anonymously. */
    public MockHub(MockWebServer registry, MockWebServer auth, String service) {
        this.registry = registry;
        this.auth = auth;
        this.service = service;
        registry.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                MockResponse response = answer(request);
                if (request.getMethod().equals("HEAD") && response.getBody() != null) {
                    // A HEAD answer announces the length but must not carry the bytes, or the connection desyncs.
                    response = new MockResponse.Builder(response).body(new okio.Buffer())
                            .setHeader("Content-Length", response.getBody().getContentLength()).build();
                }
                log.add(request.getMethod() + " " + request.getUrl().encodedPath() + " " + response.getCode());
                String range = request.getHeaders().get("Range");
                if (range != null) {
                    ranges.add(request.getUrl().encodedPath() + " " + range + " " + response.getCode());
                }
                return response;
            }
        });
        if (auth != null) {
            auth.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    return issueToken(request);
                }
            });
        }
    }

    // ---- content ----

    /** Seeds an OCI image of {@code config} and {@code layers} into {@code repository}, tagged unless tag is null. */
    public Image image(String repository, String tag, byte[] config, byte[]... layers) {
        blob(repository, config);
        for (byte[] layer : layers) {
            blob(repository, layer);
        }
        byte[] manifest = TestData.ociManifest(config, layers);
        Digest digest = manifest(repository, tag, manifest, MediaTypes.OCI_MANIFEST);
        return new Image(repository, manifest, digest, config, List.of(layers));
    }

    /** Seeds a small image whose content is derived from {@code seed}, tagged unless tag is null. */
    public Image image(String repository, String tag, long seed) {
        return image(repository, tag, TestData.utf8("{\"architecture\":\"amd64\",\"seed\":" + seed + "}"),
                TestData.bytes(3000 + (int) seed, seed));
    }

    /** Seeds a blob. */
    public void blob(String repository, byte[] bytes) {
        repo(repository).blobs.put(Digest.sha256(bytes), bytes);
    }

    /** Seeds a manifest (or index) as raw bytes, tagged unless tag is null; returns its digest. */
    public Digest manifest(String repository, String tag, byte[] bytes, String mediaType) {
        Digest digest = Digest.sha256(bytes);
        Repo repo = repo(repository);
        repo.manifests.put(digest, new Manifest(bytes, mediaType, digest));
        if (tag != null) {
            repo.tags.put(tag, digest);
        }
        return digest;
    }

    /** Points {@code tag} at another manifest, as a push to Hub would. */
    public void retag(String repository, String tag, Digest digest) {
        repo(repository).tags.put(tag, digest);
    }

    // ---- behaviour ----

    /** How long tokens last ({@code expires_in}). */
    public void tokenLifetime(Duration lifetime) {
        this.tokenLifetime = lifetime;
    }

    /**
     * Answers the next authorized request for {@code method path} with {@code response} instead of the regular
     * content (once per call, in order); the token flow still runs first, as in front of a flaky backend.
     */
    public void override(String method, String path, Supplier<MockResponse> response) {
        overrides.computeIfAbsent(method + " " + path, k -> new ConcurrentLinkedQueue<>()).add(response);
    }

    /**
     * As {@link #override}, for the next request of {@code method path} without a {@code Range} header only: a
     * download's whole GET, whichever comes first of it and a range GET of the same blob.
     */
    public void overrideWhole(String method, String path, Supplier<MockResponse> response) {
        override(method, path + WHOLE, response);
    }

    /**
     * Makes the token service refuse (401, as Docker Hub's does for a wrong password) token requests without these
     * Basic credentials; until called it serves anyone.
     */
    public void credentials(String user, String password) {
        this.credentials = okhttp3.Credentials.basic(user, password);
    }

    /**
     * Makes the token service play a private organisation's: it knows {@code user} with {@code password} (and every
     * other user so made), refuses (401) any login it does not know, and grants a known one pull only on
     * {@code repositories}: for others it hands out a token that the registry refuses. Called again for the same user,
     * it replaces what that user may pull.
     */
    public void user(String user, String password, String... repositories) {
        String basic = okhttp3.Credentials.basic(user, password);
        userNames.put(basic, user);
        users.put(basic, Set.of(repositories));
    }

    /** Makes the token service answer every request with {@code response} until {@link #tokenServiceRecovers()}. */
    public void tokenServiceDown(Supplier<MockResponse> response) {
        this.tokenOutage = response;
    }

    /** Ends the token service's outage. */
    public void tokenServiceRecovers() {
        this.tokenOutage = null;
    }

    /** Answers every registry request with {@code response} (a fresh one each time) until {@link #recover()}. */
    public void outage(Supplier<MockResponse> response) {
        this.outage = response;
    }

    /** Ends an outage. */
    public void recover() {
        this.outage = null;
    }

    // ---- what the hub was asked ----

    /** Requests for {@code method path}, the anonymous ones answered with a challenge included. */
    public int count(String method, String path) {
        String prefix = method + " " + path + " ";
        synchronized (log) {
            return (int) log.stream().filter(line -> line.startsWith(prefix)).count();
        }
    }

    /** Requests for {@code method path} that were answered with anything but a 401. */
    public int served(String method, String path) {
        String prefix = method + " " + path + " ";
        synchronized (log) {
            return (int) log.stream().filter(line -> line.startsWith(prefix) && !line.endsWith(" 401")).count();
        }
    }

    /** Every registry request so far as {@code METHOD path status}, in order. */
    public List<String> log() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    /**
     * Token requests so far with the login of {@code user} (one made by {@link #user}), as {@code scope} or "-" for
     * none; "?" stands for a login the service does not know.
     */
    public List<String> tokenRequests(String user) {
        synchronized (tokenLog) {
            return tokenLog.stream().filter(line -> line.startsWith(user + " "))
                    .map(line -> line.substring(user.length() + 1)).toList();
        }
    }

    /** Every registry request with a Range header so far, as {@code path range status} ({@code ... bytes=0-9 206}). */
    public List<String> ranges() {
        synchronized (ranges) {
            return List.copyOf(ranges);
        }
    }

    /** Registry requests so far, as the server counted them. */
    public int requests() {
        return registry.getRequestCount();
    }

    /** The registry's base URL, for berth.yaml. */
    public String url() {
        return registry.url("/").toString();
    }

    public static String manifestPath(String repository, String reference) {
        return "/v2/" + repository + "/manifests/" + reference;
    }

    public static String blobPath(String repository, Digest digest) {
        return "/v2/" + repository + "/blobs/" + digest;
    }

    public static String blobPath(String repository, byte[] content) {
        return blobPath(repository, Digest.sha256(content));
    }

    // ---- answers ----

    private Repo repo(String repository) {
        return repos.computeIfAbsent(repository, r -> new Repo());
    }

    private MockResponse answer(RecordedRequest request) {
        Supplier<MockResponse> down = outage;
        if (down != null) {
            return down.get();
        }
        String method = request.getMethod();
        String path = request.getUrl().encodedPath();
        if (path.equals("/v2/")) {
            // Where a client learns how to log in.
            return auth == null ? new MockResponse.Builder().addHeader("Content-Type", "application/json").body("{}")
                    .build() : challenge(null, null);
        }
        Matcher m = V2_PATH.matcher(path);
        if (!m.matches()) {
            return error(404, "NOT_FOUND", "no such endpoint");
        }
        String name = m.group(1);
        Repo repo = repos.get(name);
        if (auth != null) {
            String scope = "repository:" + name + ":pull";
            String authorization = request.getHeaders().get("Authorization");
            String granted = authorization == null || !authorization.startsWith("Bearer ") ? null
                    : tokenScopes.get(authorization.substring("Bearer ".length()));
            if (granted == null) {
                return challenge(scope, null);
            }
            if (!granted.equals(scope) || repo == null) {
                // Hub's answer for a repository that does not exist, even to a valid token.
                return challenge(scope, "insufficient_scope");
            }
        } else if (repo == null) {
            return error(404, "NAME_UNKNOWN", "repository name not known to registry");
        }
        String range = request.getHeaders().get("Range");
        Queue<Supplier<MockResponse>> whole = range == null ? overrides.get(method + " " + path + WHOLE) : null;
        Supplier<MockResponse> override = whole == null ? null : whole.poll();
        if (override == null) {
            Queue<Supplier<MockResponse>> queued = overrides.get(method + " " + path);
            override = queued == null ? null : queued.poll();
        }
        if (override != null) {
            return override.get();
        }
        return switch (m.group(2)) {
            case "manifests" -> manifest(repo, m.group(3));
            case "blobs" -> blob(repo, m.group(3), range);
            case "tags" -> tags(name, repo);
            // As Docker Hub: no Referrers API, unless a test overrides the answer.
            default -> error(404, "NOT_FOUND", "no such endpoint");
        };
    }

    private MockResponse manifest(Repo repo, String reference) {
        Digest digest = reference.contains(":") ? Digest.parse(reference) : repo.tags.get(reference);
        Manifest manifest = digest == null ? null : repo.manifests.get(digest);
        if (manifest == null) {
            return error(404, "MANIFEST_UNKNOWN", "manifest unknown");
        }
        return manifestAnswer(manifest.bytes(), manifest.mediaType(), manifest.digest(), 99);
    }

    private MockResponse blob(Repo repo, String reference, String range) {
        byte[] bytes = repo.blobs.get(Digest.parse(reference));
        if (bytes == null) {
            return error(404, "BLOB_UNKNOWN", "blob unknown");
        }
        MockResponse.Builder response = new MockResponse.Builder()
                .setHeader("Content-Type", MediaTypes.OCTET_STREAM)
                .setHeader("Docker-Content-Digest", reference);
        Matcher single = range == null ? null : SINGLE_RANGE.matcher(range);
        if (single != null && single.matches()) {
            // As distribution serves a range: 206 with its Content-Range; one range only, within the blob.
            int last = Integer.parseInt(single.group(2));
            int start = single.group(1).isEmpty() ? Math.max(0, bytes.length - last) : Integer.parseInt(single.group(1));
            int end = single.group(1).isEmpty() ? bytes.length - 1 : Math.min(last, bytes.length - 1);
            return response.code(206).setHeader("Content-Range", "bytes " + start + "-" + end + "/" + bytes.length)
                    .body(new okio.Buffer().write(bytes, start, end - start + 1)).build();
        }
        return response.body(new okio.Buffer().write(bytes)).build();
    }

    /** A blob's answer to a Range request as Hub gives it, for a test that holds, breaks or falsifies it. */
    public static MockResponse.Builder rangeAnswer(byte[] bytes, long start, long end, long size) {
        return new MockResponse.Builder().code(206).setHeader("Content-Type", MediaTypes.OCTET_STREAM)
                .setHeader("Content-Range", "bytes " + start + "-" + end + "/" + size)
                .body(new okio.Buffer().write(bytes));
    }

    private MockResponse tags(String name, Repo repo) {
        StringBuilder json = new StringBuilder("{\"name\":\"" + name + "\",\"tags\":[");
        String separator = "";
        for (String tag : new TreeSet<>(repo.tags.keySet())) {
            json.append(separator).append('"').append(tag).append('"');
            separator = ",";
        }
        return new MockResponse.Builder().setHeader("Content-Type", "application/json")
                .body(json.append("]}").toString()).build();
    }

    private MockResponse challenge(String scope, String error) {
        return challenge(auth, service, scope, error);
    }

    private MockResponse issueToken(RecordedRequest request) {
        String scope = request.getUrl().queryParameter("scope");
        String authorization = request.getHeaders().get("Authorization");
        if (!users.isEmpty()) {
            tokenLog.add(userNames.getOrDefault(authorization == null ? "" : authorization, "?") + " "
                    + (scope == null ? "-" : scope));
        }
        Supplier<MockResponse> down = tokenOutage;
        if (down != null) {
            return down.get();
        }
        if (!"/token".equals(request.getUrl().encodedPath()) || !service.equals(request.getUrl().queryParameter("service"))
                || (scope == null && users.isEmpty())) {
            return error(400, "BAD_REQUEST", "unexpected token request " + request.getUrl());
        }
        if (!users.isEmpty()) {
            Set<String> may = authorization == null ? null : users.get(authorization);
            if (may == null) {
                return new MockResponse.Builder().code(401).addHeader("Content-Type", "application/json")
                        .body("{\"details\":\"incorrect username or password\"}").build();
            }
            String token = "tok-" + tokenSerial.incrementAndGet();
            boolean pull = scope != null && scope.endsWith(":pull")
                    && may.contains(scope.substring("repository:".length(), scope.length() - ":pull".length()));
            tokenScopes.put(token, pull ? scope : "");
            return token(token, tokenLifetime.toSeconds());
        }
        String required = credentials;
        if (required != null && !required.equals(request.getHeaders().get("Authorization"))) {
            return new MockResponse.Builder().code(401).addHeader("Content-Type", "application/json")
                    .body("{\"details\":\"incorrect username or password\"}").build();
        }
        // Hub hands out a token even for a repository it does not have; the registry then refuses it.
        String token = "tok-" + tokenSerial.incrementAndGet();
        tokenScopes.put(token, scope);
        return token(token, tokenLifetime.toSeconds());
    }

    private static MockResponse error(int status, String code, String message) {
        return new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json")
                .body("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}]}").build();
    }

    // ---- Docker Hub's answers, for tests that script them one by one ----

    /**
     * Hub's 401 for a request without a fitting token: a Bearer challenge naming {@code auth}'s /token as realm, and
     * {@code error} (such as {@code insufficient_scope}) unless null.
     */
    public static MockResponse challenge(MockWebServer auth, String service, String scope, String error) {
        String challenge = "Bearer realm=\"" + auth.url("/token") + "\",service=\"" + service + "\""
                + (scope == null ? "" : ",scope=\"" + scope + "\"") + (error == null ? "" : ",error=\"" + error + "\"");
        return new MockResponse.Builder().code(401).addHeader("WWW-Authenticate", challenge)
                .addHeader("Content-Type", "application/json")
                .body("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}")
                .build();
    }

    /** The token service's answer; {@code expiresIn} 0 leaves {@code expires_in} out. */
    public static MockResponse token(String token, long expiresIn) {
        String expiry = expiresIn > 0 ? ",\"expires_in\":" + expiresIn : "";
        return new MockResponse.Builder().addHeader("Content-Type", "application/json")
                .body("{\"token\":\"" + token + "\",\"access_token\":\"" + token + "\"" + expiry
                        + ",\"issued_at\":\"2026-01-01T00:00:00Z\"}")
                .build();
    }

    /**
     * A manifest as Hub serves it, with its rate-limit headers ({@code remaining} pulls left) and {@code announced}
     * as {@code Docker-Content-Digest} unless null.
     */
    public static MockResponse manifestAnswer(byte[] bytes, String mediaType, Digest announced, int remaining) {
        MockResponse.Builder response = new MockResponse.Builder()
                .setHeader("Content-Type", mediaType)
                .setHeader("ratelimit-limit", "100;w=21600")
                .setHeader("ratelimit-remaining", remaining + ";w=21600");
        if (announced != null) {
            response.setHeader("Docker-Content-Digest", announced.toString());
        }
        return response.body(new okio.Buffer().write(bytes)).build();
    }

    /** An index over {@code children}, pretty-printed the way no serializer of berth's would: byte-exactness shows. */
    public static byte[] index(String mediaType, String childType, Image... children) {
        StringBuilder json = new StringBuilder("{\n  \"schemaVersion\" : 2,\n  \"mediaType\" : \"" + mediaType
                + "\",\n  \"manifests\" : [");
        String[] architectures = {"amd64", "arm64"};
        for (int i = 0; i < children.length; i++) {
            json.append(i == 0 ? "\n    " : ",\n    ").append("{ \"mediaType\": \"").append(childType)
                    .append("\", \"digest\": \"").append(children[i].ref()).append("\", \"size\": ")
                    .append(children[i].manifest().length).append(", \"platform\": { \"architecture\": \"")
                    .append(architectures[i % 2]).append("\", \"os\": \"linux\" } }");
        }
        return TestData.utf8(json.append("\n  ]\n}\n").toString());
    }

    // ---- canned failures ----

    /** A Hub answer of {@code status} with no content. */
    public static Supplier<MockResponse> status(int status) {
        return () -> error(status, status == 503 ? "UNAVAILABLE" : "UNKNOWN", "trouble upstream");
    }

    /** Hub's rate limit: 429 with its ratelimit headers and a Retry-After. */
    public static Supplier<MockResponse> rateLimited(long retryAfterSeconds) {
        return () -> new MockResponse.Builder().code(429)
                .addHeader("Retry-After", String.valueOf(retryAfterSeconds))
                .addHeader("ratelimit-limit", "100;w=21600")
                .addHeader("ratelimit-remaining", "0;w=21600")
                .addHeader("Content-Type", "application/json")
                .body("{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"You have reached your pull rate limit\"}]}")
                .build();
    }
}
