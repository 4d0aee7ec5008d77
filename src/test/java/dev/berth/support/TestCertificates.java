package dev.berth.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** A test CA, an intermediate and a server certificate for 127.0.0.1 and localhost, made with openssl. */
public final class TestCertificates {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** The kind of keys, each with openssl's {@code -newkey} argument. */
    public enum KeyType {
        RSA("rsa:2048"), EC("ec", "-pkeyopt", "ec_paramgen_curve:P-256");

        private final List<String> newKey;

        KeyType(String... newKey) {
            this.newKey = List.of(newKey);
        }
    }

    // Laid out as a public CA hands them out: the chain as one PEM file, server certificate first; the key as another.
    private final Path dir;
    private final Path openssl;
    private final KeyType type;

    private TestCertificates(Path dir, Path openssl, KeyType type) {
        this.dir = dir;
        this.openssl = openssl;
        this.type = type;
    }

    /** Makes the CA, intermediate and server certificate in {@code dir}; skips the test when openssl is missing. */
    public static TestCertificates create(Path dir, KeyType type) {
        TestCertificates certs = new TestCertificates(dir, Tools.require("openssl", "openssl"), type);
        certs.make();
        return certs;
    }

    private void make() {
        try {
            Files.createDirectories(dir.resolve("trust"));
            Files.writeString(dir.resolve("ca.ext"),
                    "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n");
            Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                    + "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl(withNewKey("req", "-x509", "-keyout", file("ca.key"), "-out", file("trust/ca.crt"), "-days", "2",
                "-subj", "/CN=berth test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign"));
        issue("intermediate", "/CN=berth test intermediate", "trust/ca.crt", "ca.key", "ca.ext");
        issue("server", "/CN=localhost", "intermediate.crt", "intermediate.key", "server.ext");
        concatenate(chain(), dir.resolve("server.crt"), dir.resolve("intermediate.crt"));
    }

    /** A key and a certificate for it signed by {@code issuer}: {@code NAME.key}, {@code NAME.crt}. */
    private void issue(String name, String subject, String issuer, String issuerKey, String extensions) {
        openssl(withNewKey("req", "-keyout", file(name + ".key"), "-out", file(name + ".csr"), "-subj", subject));
        openssl(List.of("x509", "-req", "-in", file(name + ".csr"), "-CA", file(issuer), "-CAkey", file(issuerKey),
                "-set_serial", String.valueOf(System.nanoTime()), "-out", file(name + ".crt"), "-days", "2",
                "-extfile", file(extensions)));
    }

    private List<String> withNewKey(String... args) {
        List<String> command = new ArrayList<>(List.of(args));
        command.add("-nodes");
        command.add("-newkey");
        command.addAll(type.newKey);
        return command;
    }

    private void openssl(List<String> args) {
        List<String> command = new ArrayList<>(List.of(openssl.toString()));
        command.addAll(args);
        ExternalCommand.succeed(command, TIMEOUT);
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    /** The CA certificate clients trust. */
    public Path caCertificate() {
        return dir.resolve("trust/ca.crt");
    }

    /**
     * A directory holding only {@code ca.crt}, as skopeo's {@code --cert-dir} and containers' {@code certs.d}
     * expect (another {@code .key} file there would be taken for a client certificate's).
     */
    public Path certDir() {
        return dir.resolve("trust");
    }

    /** The server certificate followed by the intermediate's, like Let's Encrypt's {@code fullchain.pem}. */
    public Path chain() {
        return dir.resolve("fullchain.pem");
    }

    /** The server's key as PKCS#8 ({@code BEGIN PRIVATE KEY}), as openssl writes new keys. */
    public Path key() {
        return dir.resolve("server.key");
    }

    /**
     * The server's key in OpenSSL's traditional format: PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC 1 ({@code BEGIN
     * EC PRIVATE KEY}, after an {@code EC PARAMETERS} block as {@code openssl ecparam -genkey} writes it).
     */
    public Path traditionalKey() {
        Path traditional = dir.resolve("server-traditional.key");
        if (type == KeyType.RSA) {
            openssl(List.of("rsa", "-in", file("server.key"), "-traditional", "-out", traditional.toString()));
        } else {
            openssl(List.of("ecparam", "-name", "prime256v1", "-out", file("ec.params")));
            openssl(List.of("ec", "-in", file("server.key"), "-out", file("sec1.key")));
            concatenate(traditional, dir.resolve("ec.params"), dir.resolve("sec1.key"));
        }
        return traditional;
    }

    /**
     * The server's key encrypted with a passphrase: as PKCS#8 ({@code BEGIN ENCRYPTED PRIVATE KEY}), or in the
     * traditional format with a {@code Proc-Type: 4,ENCRYPTED} header.
     */
    public Path encryptedKey(boolean traditional) {
        Path encrypted = dir.resolve(traditional ? "server-encrypted-traditional.key" : "server-encrypted.key");
        List<String> args = new ArrayList<>(traditional
                ? List.of(type == KeyType.RSA ? "rsa" : "ec", "-in", file("server.key"))
                : List.of("pkey", "-in", file("server.key")));
        if (traditional && type == KeyType.RSA) {
            args.add("-traditional");
        }
        args.addAll(List.of("-aes256", "-passout", "pass:secret", "-out", encrypted.toString()));
        openssl(args);
        return encrypted;
    }

    /** A client TLS context that trusts the test CA only. */
    public SSLContext clientContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustManager()}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A trust manager that trusts the test CA only, as OkHttp wants it next to {@link #clientContext()}. */
    public X509TrustManager trustManager() {
        try (InputStream in = Files.newInputStream(caCertificate())) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("berth-test-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            return (X509TrustManager) factory.getTrustManagers()[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void concatenate(Path target, Path... parts) {
        try {
            StringBuilder text = new StringBuilder();
            for (Path part : parts) {
                text.append(Files.readString(part));
            }
            Files.writeString(target, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
