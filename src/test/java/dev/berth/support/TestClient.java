package dev.berth.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/** An HTTP client for the registry API, with the few push helpers tests keep needing. */
public final class TestClient {
    private static final HttpClient PLAIN = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final HttpClient http;
    private final Optional<String> authorization;

    /** A client for plain HTTP. */
    public TestClient(URI base) {
        this(base, PLAIN);
    }

    /** A client sending through {@code http}: one that trusts a test CA, say. */
    public TestClient(URI base, HttpClient http) {
        this(base, http, Optional.empty());
    }

    private TestClient(URI base, HttpClient http, Optional<String> authorization) {
        this.base = base;
        this.http = http;
        this.authorization = authorization;
    }

    /** The same client sending {@code Authorization: value} with every request. */
    public TestClient withAuthorization(String value) {
        return new TestClient(base, http, Optional.of(value));
    }

    /** The same client sending Basic credentials with every request. */
    public TestClient withBasic(String user, String password) {
        return withAuthorization("Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        authorization.ifPresent(value -> b.header("Authorization", value));
        return b;
    }

    public URI base() {
        return base;
    }

    /** Sends {@code method path} with {@code body} (may be null) and header name/value pairs. */
    public HttpResponse<byte[]> send(String method, String path, byte[] body, String... headers) {
        HttpRequest.Builder b = request(path).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<byte[]> get(String path, String... headers) {
        return send("GET", path, null, headers);
    }

    /**
     * GETs {@code path} with header name/value pairs and hands over the body as a stream once the headers are in, to
     * read as it arrives.
     */
    public HttpResponse<InputStream> stream(String path, String... headers) {
        HttpRequest.Builder b = request(path).timeout(Duration.ofSeconds(60));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpRequest request = b.build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<byte[]> head(String path, String... headers) {
        return send("HEAD", path, null, headers);
    }

    public HttpResponse<byte[]> delete(String path) {
        return send("DELETE", path, null);
    }

    /** Pushes a blob with the monolithic POST and returns its digest. */
    public String pushBlob(String repo, byte[] content) {
        String digest = TestData.digest(content);
        HttpResponse<byte[]> r = send("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + digest, content);
        assertEquals(201, r.statusCode(), () -> "blob push failed: " + new String(r.body()));
        return digest;
    }

    /**
     * Pushes a blob of any size as one streamed (chunked) PATCH, hashing it on the way, then completes the upload
     * with the digest; returns the digest. The content is never held in memory.
     */
    public String pushBlob(String repo, InputStream content) {
        HttpResponse<byte[]> started = send("POST", "/v2/" + repo + "/blobs/uploads/", null);
        assertEquals(202, started.statusCode(), () -> "upload start failed: " + new String(started.body()));
        MessageDigest sha256 = sha256();
        HttpRequest patch = request(location(started)).timeout(Duration.ofMinutes(5))
                .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> new DigestInputStream(content, sha256)))
                .header("Content-Type", "application/octet-stream")
                .build();
        HttpResponse<byte[]> patched;
        try {
            patched = http.send(patch, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertEquals(202, patched.statusCode(), () -> "upload PATCH failed: " + new String(patched.body()));
        String digest = "sha256:" + HexFormat.of().formatHex(sha256.digest());
        String next = location(patched);
        HttpResponse<byte[]> done = send("PUT", next + (next.contains("?") ? "&" : "?") + "digest=" + digest, null);
        assertEquals(201, done.statusCode(), () -> "upload PUT failed: " + new String(done.body()));
        return digest;
    }

    private static String location(HttpResponse<?> response) {
        return response.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no Location header"));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Pushes a manifest and returns the response. */
    public HttpResponse<byte[]> putManifest(String repo, String reference, byte[] manifest, String mediaType) {
        return send("PUT", "/v2/" + repo + "/manifests/" + reference, manifest, "Content-Type", mediaType);
    }

    /** Pushes the config and layers, then an OCI manifest over them under {@code reference}; returns the manifest. */
    public byte[] pushImage(String repo, String reference, byte[] config, byte[]... layers) {
        pushBlob(repo, config);
        for (byte[] layer : layers) {
            pushBlob(repo, layer);
        }
        byte[] manifest = TestData.ociManifest(config, layers);
        HttpResponse<byte[]> r = putManifest(repo, reference, manifest, "application/vnd.oci.image.manifest.v1+json");
        assertEquals(201, r.statusCode(), () -> "manifest push failed: " + new String(r.body()));
        return manifest;
    }
}
