package dev.berth.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Turns the SDK's exceptions into what berth's layers understand: {@link StorageUnavailableException} when the store
 * cannot be reached or asks to be left alone for now, an {@link UncheckedIOException} naming the operation, the key and
 * S3's error code otherwise. The SDK never puts credentials in its messages, and neither does this.
 */
final class S3Failures {
    private S3Failures() {
    }

    /** Whether S3 said there is no such object (a HEAD's 404 has no body, so no error code to go by). */
    static boolean isAbsent(SdkException e) {
        return e instanceof S3Exception s3 && s3.statusCode() == 404 && !"NoSuchBucket".equals(code(s3));
    }

    /** The exception for {@code operation} on {@code key} (or a prefix) failing with {@code e}. */
    static UncheckedIOException of(String operation, String key, SdkException e) {
        String what = "S3 " + operation + " " + key + ": ";
        IOException cause = new IOException(e.getMessage(), e);
        if (e instanceof S3Exception s3) {
            String message = what + code(s3) + " (HTTP " + s3.statusCode() + ")" + detail(s3);
            return isBusy(s3.statusCode()) ? new StorageUnavailableException(message, cause)
                    : new UncheckedIOException(message, cause);
        }
        if (isUnreachable(e)) {
            return new StorageUnavailableException(what + "the store cannot be reached: " + rootMessage(e), cause);
        }
        return new UncheckedIOException(what + e.getMessage(), cause);
    }

    /** S3's error code, or the HTTP status's meaning when the answer had no body (a HEAD). */
    static String code(S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return code != null && !code.isBlank() ? code : "HTTP " + e.statusCode();
    }

    private static String detail(S3Exception e) {
        String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
        return message == null || message.isBlank() ? "" : ": " + message;
    }

    /** 5xx, 503 SlowDown and 429: the service is there but will not serve now. */
    private static boolean isBusy(int status) {
        return status >= 500 || status == 429;
    }

    /** No answer at all: refused, reset, timed out, or a host name that does not resolve. */
    static boolean isUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // SocketException covers a refused connection, a reset and no route to the host.
            if (t instanceof SocketException || t instanceof SocketTimeoutException || t instanceof UnknownHostException
                    || t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** The innermost message, the one that says what happened ("Connection refused"). */
    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }
}
