package dev.berth.storage;

import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** The SDK's client and URL signer for one {@link S3Settings}, set up to suit S3-compatible services as well as AWS. */
final class S3Clients {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private S3Clients() {
    }

    /** A client over the JDK's HttpURLConnection, the lightest of the SDK's HTTP clients. */
    static S3Client client(S3Settings settings) {
        return S3Client.builder().region(Region.of(settings.region())).credentialsProvider(credentials(settings))
                .forcePathStyle(settings.pathStyle())
                .endpointOverride(settings.endpoint().orElse(null))
                // Checksums only where S3 requires them (DeleteObjects), and there as Content-MD5 alone: many
                // S3-compatible services answer NotImplemented to the x-amz-checksum-* headers the SDK sends by default.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .addPlugin(LegacyMd5Plugin.create()).putAuthScheme(ContentMd5Signer.scheme())
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(CONNECT_TIMEOUT).socketTimeout(READ_TIMEOUT))
                .build();
    }

    /** A signer of GET URLs that anyone may fetch until they expire. */
    static S3Presigner presigner(S3Settings settings) {
        return S3Presigner.builder().region(Region.of(settings.region())).credentialsProvider(credentials(settings))
                .endpointOverride(settings.endpoint().orElse(null))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build())
                .build();
    }

    private static StaticCredentialsProvider credentials(S3Settings settings) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
    }
}
