package dev.berth.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP client for the registry API, with the few push helpers tests keep needing. */
public final class TestClient {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    public TestClient(URI base) {
        this.base = base;
    }

    public URI base() {
        return base;
    }

    /** Sends {@code method path} with {@code body} (may be null) and header name/value pairs. */
    public HttpResponse<byte[]> send(String method, String path, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
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
