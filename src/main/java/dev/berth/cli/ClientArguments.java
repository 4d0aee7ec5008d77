package dev.berth.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the commands that are clients of a running berth read alike: option values, the server, the login. */
final class ClientArguments {
    /** The environment variable a script puts the password in. */
    static final String PASSWORD_VARIABLE = "BERTH_PASSWORD";

    private ClientArguments() {
    }

    /** The value after {@code option}, at {@code i}. */
    static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    /** {@code --server}'s value: an http:// or https:// URL with a host. */
    static URI serverUri(String text) {
        try {
            URI uri = URI.create(text);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // Said below.
        }
        throw new IllegalArgumentException("--server " + text + " is not an http:// or https:// URL");
    }

    /** A client of the berth at {@code server}, logged in as {@code user} when given (see {@link #authorization}). */
    static AdminClient client(URI server, Optional<String> user, Map<String, String> environment,
                              PasswordInput input) throws IOException {
        return new AdminClient(server, user, authorization(user, environment, input));
    }

    /** Basic credentials for {@code user}: the password from BERTH_PASSWORD, else asked for; never printed. */
    private static Optional<String> authorization(Optional<String> user, Map<String, String> environment,
                                          PasswordInput input) throws IOException {
        if (user.isEmpty()) {
            return Optional.empty();
        }
        String fromEnvironment = environment.get(PASSWORD_VARIABLE);
        char[] password = fromEnvironment != null ? fromEnvironment.toCharArray() : input.login(user.get());
        try {
            byte[] pair = (user.get() + ":" + new String(password)).getBytes(StandardCharsets.UTF_8);
            return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair));
        } finally {
            Arrays.fill(password, '\0');
        }
    }
}
