package dev.berth.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** The user name and password of an {@code Authorization: Basic} header. */
public record BasicCredentials(String user, String password) {
    /** Decodes the part after {@code Basic }; empty when it is not base64 of {@code user:password}. */
    public static Optional<BasicCredentials> decode(String encoded) {
        String text;
        try {
            text = new String(Base64.getDecoder().decode(encoded.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = text.indexOf(':');
        return colon < 0 ? Optional.empty()
                : Optional.of(new BasicCredentials(text.substring(0, colon), text.substring(colon + 1)));
    }

    @Override
    public String toString() {
        return "BasicCredentials[user=" + user + "]";
    }
}
