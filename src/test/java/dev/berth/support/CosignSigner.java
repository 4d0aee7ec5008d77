package dev.berth.support;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Signs images with the JDK exactly as cosign does with a key pair: the simple-signing JSON payload, signed with
 * SHA-256 (ECDSA P-256 or RSA PKCS#1 v1.5; Ed25519 over the bytes), stored as the one layer of the manifest that the
 * tag {@code sha256-<hex>.sig} names, the base64 signature in its {@code dev.cosignproject.cosign/signature}
 * annotation. Also Sigstore bundles (v0.3) signed with the same key. The public key is written as cosign writes
 * {@code cosign.pub}.
 */
public final class CosignSigner {
    public static final String SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
    public static final String BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json";
    /** cosign's config of a signature manifest: an OCI image config with no layers of its own. */
    private static final byte[] CONFIG = TestData.utf8("{\"architecture\":\"\",\"created\":\"0001-01-01T00:00:00Z\","
            + "\"history\":[{\"created\":\"0001-01-01T00:00:00Z\"}],\"os\":\"\",\"rootfs\":{\"type\":\"layers\","
            + "\"diff_ids\":[]},\"config\":{}}");

    private final KeyPair keys;
    private final String algorithm;

    private CosignSigner(KeyPair keys, String algorithm) {
        this.keys = keys;
        this.algorithm = algorithm;
    }

    /** cosign's default key: ECDSA P-256. */
    public static CosignSigner ecdsa() {
        return generate("EC", new ECGenParameterSpec("secp256r1"), "SHA256withECDSA");
    }

    public static CosignSigner rsa() {
        return generate("RSA", null, "SHA256withRSA");
    }

    public static CosignSigner ed25519() {
        return generate("Ed25519", null, "Ed25519");
    }

    private static CosignSigner generate(String type, ECGenParameterSpec curve, String algorithm) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(type);
            if (curve != null) {
                generator.initialize(curve);
            } else if (type.equals("RSA")) {
                generator.initialize(2048);
            }
            return new CosignSigner(generator.generateKeyPair(), algorithm);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the public key as PEM ({@code -----BEGIN PUBLIC KEY-----}) to {@code file}; returns the file. */
    public Path writePublicKey(Path file) {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(keys.getPublic().getEncoded());
        try {
            Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n" + base64 + "\n-----END PUBLIC KEY-----\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** cosign's simple-signing payload for the image {@code digest} in repository {@code reference}. */
    public static byte[] payload(String reference, Digest digest) {
        return TestData.utf8("{\"critical\":{\"identity\":{\"docker-reference\":\"" + reference + "\"},\"image\":"
                + "{\"docker-manifest-digest\":\"" + digest + "\"},\"type\":\"cosign container image signature\"},"
                + "\"optional\":null}");
    }

    /** The base64 signature of {@code message}, as the annotation carries it. */
    public String sign(byte[] message) {
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(keys.getPrivate());
            signer.update(message);
            return Base64.getEncoder().encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tag cosign stores the signatures of {@code digest} under. */
    public static String signatureTag(Digest digest) {
        return digest.algorithm() + "-" + digest.hex() + ".sig";
    }

    /** A signature manifest as cosign pushes it: config, and the payload as a layer with the signature annotated. */
    public record SignatureManifest(byte[] config, byte[] payload, byte[] manifest) {
    }

    /** The signature manifest of {@code payload}, signed by this key. */
    public SignatureManifest signatureManifest(byte[] payload) {
        return signatureManifest(payload, sign(payload));
    }

    /** The signature manifest of {@code payload} with {@code signature} annotated, whatever it signs. */
    public static SignatureManifest signatureManifest(byte[] payload, String signature) {
        byte[] manifest = TestData.utf8("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
                + "\"config\":" + TestData.descriptor("application/vnd.oci.image.config.v1+json", CONFIG)
                + ",\"layers\":[{\"mediaType\":\"" + SIMPLE_SIGNING + "\",\"digest\":\"" + Digest.sha256(payload)
                + "\",\"size\":" + payload.length + ",\"annotations\":{\"dev.cosignproject.cosign/signature\":\""
                + signature + "\"}}]}");
        return new SignatureManifest(CONFIG, payload, manifest);
    }

    /** A Sigstore bundle whose messageSignature signs the manifest {@code manifest} itself. */
    public byte[] messageSignatureBundle(byte[] manifest) {
        String digest = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(Digest.sha256(manifest).hex()));
        return TestData.utf8("{\"mediaType\":\"" + BUNDLE + "\",\"verificationMaterial\":{\"publicKey\":{\"hint\":"
                + "\"\"}},\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_256\",\"digest\":\"" + digest
                + "\"},\"signature\":\"" + sign(manifest) + "\"}}");
    }

    /** A Sigstore bundle whose DSSE envelope holds an in-toto statement about image {@code digest}. */
    public byte[] dsseBundle(Digest digest) {
        String statement = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"app\",\"digest\":"
                + "{\"sha256\":\"" + digest.hex() + "\"}}],\"predicateType\":\"https://sigstore.dev/cosign/sign/v1\","
                + "\"predicate\":{}}";
        byte[] payload = TestData.utf8(statement);
        String type = "application/vnd.in-toto+json";
        byte[] pae = TestData.utf8("DSSEv1 " + type.length() + " " + type + " " + payload.length + " " + statement);
        return TestData.utf8("{\"mediaType\":\"" + BUNDLE + "\",\"verificationMaterial\":{\"publicKey\":{\"hint\":"
                + "\"\"}},\"dsseEnvelope\":{\"payload\":\"" + Base64.getEncoder().encodeToString(payload)
                + "\",\"payloadType\":\"" + type + "\",\"signatures\":[{\"sig\":\"" + sign(pae)
                + "\",\"keyid\":\"\"}]}}");
    }

    /** The manifest that stores {@code bundle} as a referrer of {@code subject}, as cosign attaches one. */
    public static byte[] bundleManifest(byte[] bundle, byte[] subject, String subjectType) {
        byte[] empty = TestData.utf8("{}");
        return TestData.utf8("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"artifactType\":\"" + BUNDLE + "\",\"config\":"
                + TestData.descriptor("application/vnd.oci.empty.v1+json", empty) + ",\"layers\":["
                + TestData.descriptor(BUNDLE, bundle) + "],\"subject\":" + TestData.descriptor(subjectType, subject)
                + "}");
    }
}
