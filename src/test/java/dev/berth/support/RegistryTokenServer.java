package dev.berth.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A token service for a {@code docker-registry} with token auth ({@link DistributionRegistry#startWithTokens}), on a
 * loopback port: it checks each request's Basic login against its users and answers a JWT that grants each user the
 * actions they were given on the scopes they asked, and no more, as distribution's token spec describes. The tokens
 * are signed ES256 by a key whose certificate, with its intermediate, rides in the {@code x5c} header and chains to
 * the CA the registry trusts ({@link #rootCertificates()}).
 */
public final class RegistryTokenServer implements AutoCloseable {
    /** The {@code service} the registry names in its challenge and the tokens' audience. */
    public static final String SERVICE = "token-registry";
    private static final String ISSUER = "berth-test-token-service";
    private static final long LIFETIME_SECONDS = 300;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a login asked for: {@code user} is {@code ?} for a login the service refused. */
    private record Asked(String user, List<String> scopes) {
    }

    /** A user's password and the actions they may do per repository. */
    private record User(String password, Map<String, Set<String>> rights) {
    }

    private final HttpServer server;
    private final TestCertificates certificates;
    private final ECPrivateKey key;
    private final List<com.nimbusds.jose.util.Base64> chain;
    private final Map<String, User> users = new ConcurrentHashMap<>();
    private final List<Asked> asked = new CopyOnWriteArrayList<>();
    private volatile boolean stopped;

    private RegistryTokenServer(TestCertificates certificates) throws IOException, GeneralSecurityException {
        this.certificates = certificates;
        this.key = (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
                pemBody(Files.readString(certificates.key()))));
        List<com.nimbusds.jose.util.Base64> certs = new ArrayList<>();
        try (InputStream in = Files.newInputStream(certificates.chain())) {
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certs.add(com.nimbusds.jose.util.Base64.encode(certificate.getEncoded()));
            }
        }
        this.chain = List.copyOf(certs);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", this::answer);
        server.start();
    }

    /** Starts the service, with its key and certificates (made with openssl) in {@code dir}. */
    public static RegistryTokenServer start(Path dir) {
        try {
            return new RegistryTokenServer(TestCertificates.create(dir, TestCertificates.KeyType.EC));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Gives {@code user} (with {@code password}) {@code actions} on each of {@code repositories}, replacing what they
     * were given before: called again with fewer repositories, it takes rights back.
     */
    public void user(String user, String password, Set<String> actions, String... repositories) {
        Map<String, Set<String>> rights = new LinkedHashMap<>();
        for (String repository : repositories) {
            rights.put(repository, Set.copyOf(actions));
        }
        users.put(user, new User(password, Map.copyOf(rights)));
    }

    /** The realm the registry's challenge names. */
    public String realm() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + "/token";
    }

    /** The issuer the registry must trust. */
    public String issuer() {
        return ISSUER;
    }

    /** The CA certificate the tokens' {@code x5c} chain ends at: the registry's {@code rootcertbundle}. */
    public Path rootCertificates() {
        return certificates.caCertificate();
    }

    /** The scopes {@code user} asked for, one entry per token request ({@code ?}: logins the service refused). */
    public List<List<String>> asked(String user) {
        return asked.stream().filter(a -> a.user().equals(user)).map(Asked::scopes).toList();
    }

    /** Stops answering: the port is closed, so whoever asks for a token is refused the connection. */
    public void stop() {
        if (!stopped) {
            stopped = true;
            server.stop(0);
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            List<String> scopes = new ArrayList<>();
            String query = exchange.getRequestURI().getRawQuery();
            for (String parameter : query == null ? new String[0] : query.split("&")) {
                if (parameter.startsWith("scope=")) {
                    scopes.add(URLDecoder.decode(parameter.substring("scope=".length()), StandardCharsets.UTF_8));
                }
            }
            String[] login = basicLogin(exchange.getRequestHeaders().getFirst("Authorization"));
            User user = login == null ? null : users.get(login[0]);
            if (user == null || !user.password().equals(login[1])) {
                asked.add(new Asked("?", scopes));
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"token\"");
                send(exchange, 401, Map.of("details", "wrong user name or password"));
                return;
            }
            asked.add(new Asked(login[0], scopes));
            String token = sign(login[0], granted(user, scopes));
            send(exchange, 200, Map.of("token", token, "access_token", token, "expires_in", LIFETIME_SECONDS,
                    "issued_at", Instant.now().toString()));
        }
    }

    /** The {@code access} claim: of each {@code type:name:actions} scope asked, the actions the user was given. */
    private static List<Map<String, Object>> granted(User user, List<String> scopes) {
        List<Map<String, Object>> access = new ArrayList<>();
        for (String scope : scopes) {
            int first = scope.indexOf(':');
            int last = scope.lastIndexOf(':');
            if (first < 0 || last <= first || !scope.substring(0, first).equals("repository")) {
                continue;
            }
            String name = scope.substring(first + 1, last);
            Set<String> given = user.rights().getOrDefault(name, Set.of());
            List<String> actions = List.of(scope.substring(last + 1).split(",")).stream()
                    .filter(given::contains).toList();
            if (!actions.isEmpty()) {
                access.add(Map.of("type", "repository", "name", name, "actions", actions));
            }
        }
        return access;
    }

    private String sign(String subject, List<Map<String, Object>> access) {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(subject)
                .audience(SERVICE)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(LIFETIME_SECONDS)))
                .jwtID(UUID.randomUUID().toString())
                .claim("access", access)
                .build();
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT)
                .x509CertChain(chain).build();
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /** {@code [user, password]} of a Basic {@code Authorization} header, or null. */
    private static String[] basicLogin(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    private static void send(HttpExchange exchange, int status, Map<String, Object> body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static byte[] pemBody(String pem) {
        return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    }
}
