package dev.berth.sso;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.config.BerthConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.FormBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * berth's requests to the provider: each bounded in time as a whole (connecting, waiting and reading together) and
 * its answer in size, so that a provider that is down, slow or hostile costs a sign-in a clear 503, never a hang.
 * Redirects are not followed (a document must come from where its issuer said), and the provider's certificate is
 * checked against {@code auth.oidc.ca-file} when given, else the JVM's CAs.
 */
final class ProviderHttp {
    /** An answer as the provider gave it: its status and its JSON body ({@code MissingNode} for none). */
    record Answer(int status, JsonNode body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OkHttpClient client;
    private final int maxBytes;

    ProviderHttp(BerthConfig.Oidc config, int maxBytes) {
        OkHttpClient.Builder builder = new OkHttpClient.Builder().callTimeout(config.timeout())
                .followRedirects(false).followSslRedirects(false).retryOnConnectionFailure(false);
        config.caFile().ifPresent(file -> {
            X509TrustManager trust = trustManager(file);
            builder.sslSocketFactory(sslContext(trust).getSocketFactory(), trust);
        });
        this.client = builder.build();
        this.maxBytes = maxBytes;
    }

    /** The JSON document at {@code url}, which must answer 200. */
    JsonNode get(URI url, String what) {
        Answer answer = send(new Request.Builder().url(url.toString()).header("Accept", "application/json").build(),
                what);
        if (answer.status() != 200) {
            throw new ProviderUnavailable(what + " at " + url + " answered HTTP " + answer.status());
        }
        return answer.body();
    }

    /** A form POSTed to {@code url} with {@code authorization} (none when empty), and the answer, whatever its status. */
    Answer post(URI url, FormBody form, Optional<String> authorization, String what) {
        Request.Builder request = new Request.Builder().url(url.toString()).post(form)
                .header("Accept", "application/json");
        authorization.ifPresent(value -> request.header("Authorization", value));
        return send(request.build(), what);
    }

    private Answer send(Request request, String what) {
        try (Response response = client.newCall(request).execute()) {
            ResponseBody body = response.body();
            byte[] bytes;
            try (InputStream in = body.byteStream()) {
                bytes = in.readNBytes(maxBytes + 1);
            }
            if (bytes.length > maxBytes) {
                throw new ProviderUnavailable(what + " from " + request.url().host() + " is larger than "
                        + maxBytes + " bytes");
            }
            JsonNode json = bytes.length == 0 ? JSON.missingNode() : parse(bytes, what, response.code());
            return new Answer(response.code(), json);
        } catch (IOException e) {
            // The call timeout shows as an InterruptedIOException: either way the provider did not answer in time.
            throw new ProviderUnavailable("the provider " + request.url().host() + ":" + request.url().port()
                    + " did not answer " + what + " (" + e.getMessage() + ")");
        }
    }

    private static JsonNode parse(byte[] bytes, String what, int status) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            if (status >= 500) {
                return JSON.missingNode();
            }
            throw new ProviderUnavailable(what + " is not JSON (HTTP " + status + ")");
        }
    }

    private static X509TrustManager trustManager(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("auth.oidc.ca-file " + file + " holds no PEM certificate");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca" + i++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return (X509TrustManager) factory.getTrustManagers()[0];
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("auth.oidc.ca-file " + file + ": " + e.getMessage(), e);
        }
    }

    private static SSLContext sslContext(X509TrustManager trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new X509TrustManager[] {trust}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is missing from this JVM", e);
        }
    }
}
