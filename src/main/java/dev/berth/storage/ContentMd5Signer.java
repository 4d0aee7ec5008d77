package dev.berth.storage;

import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.http.auth.aws.scheme.AwsV4AuthScheme;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.scheme.AuthScheme;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignRequest;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;

/**
 * AWS signature V4, but a request that carries a Content-MD5 (the SDK's {@code LegacyMd5Plugin} adds one to the
 * operations S3 wants a checksum of, DeleteObjects for berth) goes without the CRC32 header the SDK would add beside it.
 * Content-MD5 is what every S3-compatible service knows; several answer NotImplemented to {@code x-amz-checksum-*}.
 */
final class ContentMd5Signer implements HttpSigner<AwsCredentialsIdentity> {
    private static final String ALGORITHM_HEADER = "x-amz-sdk-checksum-algorithm";
    private final AwsV4HttpSigner delegate = AwsV4HttpSigner.create();

    /** Signature V4 signed by this signer, for {@code S3Client.builder().putAuthScheme}. */
    static AuthScheme<AwsCredentialsIdentity> scheme() {
        ContentMd5Signer signer = new ContentMd5Signer();
        return new AuthScheme<>() {
            @Override
            public String schemeId() {
                return AwsV4AuthScheme.SCHEME_ID;
            }

            @Override
            public IdentityProvider<AwsCredentialsIdentity> identityProvider(IdentityProviders providers) {
                return providers.identityProvider(AwsCredentialsIdentity.class);
            }

            @Override
            public HttpSigner<AwsCredentialsIdentity> signer() {
                return signer;
            }
        };
    }

    @Override
    public SignedRequest sign(SignRequest<? extends AwsCredentialsIdentity> request) {
        if (request.request().firstMatchingHeader("Content-MD5").isEmpty()) {
            return delegate.sign(request);
        }
        return delegate.sign(request.copy(b -> b
                .request(request.request().toBuilder().removeHeader(ALGORITHM_HEADER).build())
                .putProperty(AwsV4FamilyHttpSigner.CHECKSUM_ALGORITHM, null)));
    }

    @Override
    public CompletableFuture<AsyncSignedRequest> signAsync(AsyncSignRequest<? extends AwsCredentialsIdentity> request) {
        return delegate.signAsync(request);
    }
}
