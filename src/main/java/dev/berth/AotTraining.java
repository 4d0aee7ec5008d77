package dev.berth;

import dev.berth.auth.BcryptHash;
import dev.berth.config.ConfigLoader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The training run of JDK 25's ahead-of-time cache ({@code berth aot-training}, run by bin/aot-cache under
 * {@code -XX:AOTCacheOutput}): two berths on loopback in a scratch directory, one a private registry and the other
 * mirroring it with logins (htpasswd, the token flow), and the requests of a pull through the mirror, cold and warm.
 * The cache then holds the classes of that path (loaded and linked) and their method profiles, so that the first pull
 * after a start does not wait for them.
 */
final class AotTraining {
    static final String NAME = "aot-training";
    private static final int BLOB_BYTES = 8 * 1024 * 1024;
    private static final int BLOBS = 6;
    private static final String USER = "train";
    private static final String PASSWORD = "training-only";

    private final HttpClient client = HttpClient.newHttpClient();

    private AotTraining() {
    }

    /** Runs the requests in a new scratch directory, which it deletes; exit status 0 when every answer was right. */
    static int run() throws IOException, InterruptedException {
        Path scratch = Files.createTempDirectory("berth-aot-training");
        try {
            new AotTraining().pulls(scratch);
            return 0;
        } finally {
            deleteTree(scratch);
        }
    }

    private void pulls(Path scratch) throws IOException, InterruptedException {
        Path htpasswd = scratch.resolve("htpasswd");
        Files.writeString(htpasswd, USER + ":" + BcryptHash.of(PASSWORD.getBytes(StandardCharsets.UTF_8)).encoded()
                + "\n");
        try (BerthServer upstream = BerthServer.start(ConfigLoader.fromYaml(config(scratch.resolve("upstream"), "[]")));
             BerthServer mirror = BerthServer.start(ConfigLoader.fromYaml(config(scratch.resolve("mirror"),
                     "[{registry: docker.io, url: 'http://127.0.0.1:" + upstream.port() + "', default: true}]")
                     + "auth: {htpasswd: '" + htpasswd + "', anonymous: {mirrored: none}}\n"))) {
            URI origin = URI.create("http://127.0.0.1:" + upstream.port());
            URI through = URI.create("http://127.0.0.1:" + mirror.port());
            HttpResponse<Void> challenge = send(HttpRequest.newBuilder(through.resolve("/v2/")));
            expect(401, challenge);
            for (int i = 0; i < BLOBS; i++) {
                String repository = "train/image-" + i;
                Path blob = scratch.resolve("blob-" + i);
                String digest = write(blob, i);
                push(origin, repository, blob, digest);
                String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":" + i + "}";
                String configDigest = pushBytes(origin, repository, config);
                String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                        + configDigest + "\",\"size\":" + config.length() + "},\"layers\":[{\"mediaType\":"
                        + "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + digest + "\",\"size\":"
                        + BLOB_BYTES + "}]}";
                expect(201, send(HttpRequest.newBuilder(origin.resolve("/v2/" + repository + "/manifests/v1"))
                        .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                        .PUT(HttpRequest.BodyPublishers.ofString(manifest))));
                // A pull through the mirror, as a client makes it: a token, the manifest by tag, its blobs cold.
                String bearer = "Bearer " + token(challenge, repository);
                URI pulled = through.resolve("/v2/" + repository + "/");
                expect(200, send(HttpRequest.newBuilder(pulled.resolve("manifests/v1"))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody()).header("Authorization", bearer)
                        .header("Accept", "application/vnd.oci.image.manifest.v1+json")));
                expect(200, send(HttpRequest.newBuilder(pulled.resolve("manifests/v1")).header("Authorization", bearer)
                        .header("Accept", "application/vnd.oci.image.manifest.v1+json")));
                expect(200, send(HttpRequest.newBuilder(pulled.resolve("blobs/" + configDigest))
                        .header("Authorization", bearer)));
                expect(200, send(HttpRequest.newBuilder(pulled.resolve("blobs/" + digest))
                        .header("Authorization", bearer)));
                // Then warm, and a range of it.
                expect(200, send(HttpRequest.newBuilder(pulled.resolve("blobs/" + digest))
                        .header("Authorization", bearer)));
                expect(206, send(HttpRequest.newBuilder(pulled.resolve("blobs/" + digest))
                        .header("Authorization", bearer).header("Range", "bytes=1000-99999")));
                Files.delete(blob);
            }
        }
    }

    /** A pull token for {@code repository} from the token endpoint that {@code challenge} (a 401) names. */
    private String token(HttpResponse<Void> challenge, String repository) throws IOException, InterruptedException {
        String header = challenge.headers().firstValue("WWW-Authenticate").orElseThrow();
        Matcher realm = Pattern.compile("realm=\"([^\"]+)\"").matcher(header);
        Matcher service = Pattern.compile("service=\"([^\"]+)\"").matcher(header);
        if (!realm.find() || !service.find()) {
            throw new IllegalStateException("no Bearer challenge: " + header);
        }
        String basic = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        URI uri = URI.create(realm.group(1) + "?service=" + URLEncoder.encode(service.group(1), StandardCharsets.UTF_8)
                + "&scope=" + URLEncoder.encode("repository:" + repository + ":pull", StandardCharsets.UTF_8));
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(uri).header("Authorization", "Basic " + basic)
                .build(), HttpResponse.BodyHandlers.ofString());
        expect(200, answer);
        Matcher token = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"").matcher(answer.body());
        if (!token.find()) {
            throw new IllegalStateException("no token in " + answer.body());
        }
        return token.group(1);
    }

    private static String config(Path root, String upstreams) {
        return "server: {host: 127.0.0.1, port: 0}\nstorage: {root: '" + root + "'}\nmirror: {upstreams: " + upstreams
                + "}\n";
    }

    /** Writes blob number {@code n} (random bytes) to {@code file}; returns its digest. */
    private static String write(Path file, int n) throws IOException {
        MessageDigest sha256 = sha256();
        SplittableRandom random = new SplittableRandom(n);
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha256)) {
            for (int written = 0; written < BLOB_BYTES; written += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        return "sha256:" + HexFormat.of().formatHex(sha256.digest());
    }

    private void push(URI origin, String repository, Path blob, String digest) throws IOException,
            InterruptedException {
        upload(origin, repository, digest, HttpRequest.BodyPublishers.ofFile(blob));
    }

    private String pushBytes(URI origin, String repository, String content) throws IOException,
            InterruptedException {
        String digest = "sha256:" + HexFormat.of().formatHex(sha256().digest(content.getBytes()));
        upload(origin, repository, digest, HttpRequest.BodyPublishers.ofString(content));
        return digest;
    }

    private void upload(URI origin, String repository, String digest, HttpRequest.BodyPublisher body)
            throws IOException, InterruptedException {
        HttpResponse<Void> started = send(HttpRequest.newBuilder(origin.resolve("/v2/" + repository
                + "/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()));
        expect(202, started);
        String location = started.headers().firstValue("Location").orElseThrow();
        URI upload = origin.resolve(location);
        String separator = upload.getQuery() == null ? "?" : "&";
        expect(201, send(HttpRequest.newBuilder(URI.create(upload + separator + "digest=" + digest))
                .header("Content-Type", "application/octet-stream").PUT(body)));
    }

    private HttpResponse<Void> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return client.send(request.build(), HttpResponse.BodyHandlers.discarding());
    }

    private static void expect(int status, HttpResponse<?> response) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(response.request().method() + " " + response.request().uri() + ": "
                    + response.statusCode() + ", expected " + status);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
