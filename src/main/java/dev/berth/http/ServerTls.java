package dev.berth.http;

import dev.berth.config.BerthConfig;
import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;

/** The web server's TLS from {@code server.tls}: a PEM certificate chain and the PEM private key of its first one. */
public final class ServerTls {
    private ServerTls() {
    }

    /**
     * Reads and checks the files; a file that is not what it should be, or a key that is not the certificate's, is an
     * {@link IllegalArgumentException} naming the file, so that berth stops rather than serve without them.
     */
    public static Tls load(BerthConfig.Tls files) {
        List<X509Certificate> chain = certificates(files.cert());
        PrivateKey key = privateKey(files.key());
        checkPair(chain.getFirst(), key, files);
        return Tls.builder().privateKeyCertChain(chain).privateKey(key).build();
    }

    private static List<X509Certificate> certificates(Path file) {
        try {
            return Keys.builder().pem(pem -> pem.certChain(Resource.create(file))).build().certChain();
        } catch (RuntimeException e) {
            throw bad("server.tls.cert", file, "no PEM certificate (BEGIN CERTIFICATE) could be read", e);
        }
    }

    private static PrivateKey privateKey(Path file) {
        try {
            String pem = Files.readString(file, StandardCharsets.ISO_8859_1);
            if (pem.contains("BEGIN ENCRYPTED PRIVATE KEY") || pem.contains("Proc-Type: 4,ENCRYPTED")) {
                // Said plainly: the parser's own failure on such a key names neither the encryption nor the cure.
                throw new EncryptedKey();
            }
            if (Sec1EcKey.isIn(pem)) {
                // Helidon reads PKCS#8 and PKCS#1 RSA keys, not OpenSSL's traditional EC format.
                return Sec1EcKey.parse(pem);
            }
            return Keys.builder().pem(p -> p.key(Resource.create(file.toString(), pem))).build().privateKey()
                    .orElseThrow();
        } catch (EncryptedKey e) {
            throw bad("server.tls.key", file, "the key is encrypted, and berth has no passphrase: decrypt it once with"
                    + " openssl pkey -in " + file + " -out privkey.pem (it asks for the passphrase) and name"
                    + " privkey.pem here", null);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw bad("server.tls.key", file, "no unencrypted PEM private key could be read (BEGIN PRIVATE KEY, "
                    + "BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY)", e);
        }
    }

    /** A key that is not the certificate's would fail every handshake, long after berth seemed to start fine. */
    private static void checkPair(X509Certificate certificate, PrivateKey key, BerthConfig.Tls files) {
        byte[] probe = "berth".getBytes(StandardCharsets.US_ASCII);
        try {
            String algorithm = switch (key.getAlgorithm()) {
                case "RSA" -> "SHA256withRSA";
                case "EC" -> "SHA256withECDSA";
                default -> throw bad("server.tls.key", files.key(), "a " + key.getAlgorithm()
                        + " key is not supported: use an RSA or EC key", null);
            };
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // A key of another type than the certificate's: not its pair either.
        }
        throw bad("server.tls.key", files.key(), "this key does not belong to the first certificate in "
                + files.cert() + " (" + certificate.getSubjectX500Principal().getName() + ")", null);
    }

    private static IllegalArgumentException bad(String key, Path file, String problem, Throwable cause) {
        String detail = cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage();
        return new IllegalArgumentException(key + " " + file + ": " + problem + detail, cause);
    }

    /** A PEM key that a passphrase protects. */
    private static final class EncryptedKey extends RuntimeException {
        EncryptedKey() {
            super(null, null, false, false);
        }
    }
}
