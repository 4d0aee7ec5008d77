package dev.berth.support;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;

/**
 * A manifest in the shape cosign stores beside an image under a {@code sha256-<hex>.sig} or {@code .att} tag (an OCI
 * image manifest with no subject: one layer, the payload, carrying cosign's annotations), or an OCI 1.1 referrer of
 * a subject: its bytes and the blobs it needs. The signature is not a valid one; only where it is found matters here.
 */
public record CosignAttachment(byte[] manifest, byte[] config, byte[] payload) {
    public static final String SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
    public static final String DSSE = "application/vnd.dsse.envelope.v1+json";

    /** A signature of {@code subject} as cosign tags it: the simple-signing payload naming the digest. */
    public static CosignAttachment signature(Digest subject) {
        return of(SIMPLE_SIGNING, "{\"critical\":{\"image\":{\"docker-manifest-digest\":\"" + subject + "\"},"
                + "\"type\":\"cosign container image signature\"},\"optional\":null}",
                "\"dev.cosignproject.cosign/signature\":\"MEUCIQDtest\"", null, null);
    }

    /** An attestation of {@code subject} as cosign tags it: a DSSE envelope. */
    public static CosignAttachment attestation(Digest subject) {
        return of(DSSE, "{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"" + subject.hex() + "\"}",
                "\"predicateType\":\"https://slsa.dev/provenance/v1\"", null, null);
    }

    /** An OCI 1.1 referrer of {@code subject} ({@code subjectSize} bytes) of {@code artifactType}. */
    public static CosignAttachment referrer(Digest subject, long subjectSize, String artifactType) {
        return of(SIMPLE_SIGNING, "{\"referrer of\":\"" + subject + "\",\"type\":\"" + artifactType + "\"}",
                "\"dev.cosignproject.cosign/signature\":\"MEUCIQDother\"", artifactType,
                "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + subject + "\",\"size\":"
                        + subjectSize + "}");
    }

    private static CosignAttachment of(String layerType, String payloadText, String annotation, String artifactType,
                                       String subject) {
        byte[] config = TestData.utf8("{}");
        byte[] payload = TestData.utf8(payloadText);
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",");
        if (artifactType != null) {
            json.append("\"artifactType\":\"").append(artifactType).append("\",");
        }
        json.append("\"config\":").append(TestData.descriptor("application/vnd.oci.image.config.v1+json", config))
                .append(",\"layers\":[{\"mediaType\":\"").append(layerType).append("\",\"digest\":\"")
                .append(Digest.sha256(payload)).append("\",\"size\":").append(payload.length)
                .append(",\"annotations\":{").append(annotation).append("}}]");
        if (subject != null) {
            json.append(",\"subject\":").append(subject);
        }
        return new CosignAttachment(TestData.utf8(json.append("}").toString()), config, payload);
    }

    /** The manifest's digest. */
    public Digest digest() {
        return Digest.sha256(manifest);
    }

    /** The tag cosign gives it beside {@code subject}: {@code sha256-<hex>.<suffix>}. */
    public static String tag(Digest subject, String suffix) {
        return subject.algorithm() + "-" + subject.hex() + "." + suffix;
    }
}
