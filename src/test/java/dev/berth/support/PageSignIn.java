package dev.berth.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Signing in through the web page's form, as a browser posts it. */
public final class PageSignIn {
    private PageSignIn() {
    }

    /** Posts the form with {@code headers} besides its Content-Type, expects 303, and returns the Set-Cookie header. */
    public static String cookie(TestClient client, String user, String password, String... headers) {
        String form = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8);
        List<String> all = new ArrayList<>(List.of("Content-Type", "application/x-www-form-urlencoded"));
        all.addAll(List.of(headers));
        HttpResponse<byte[]> r = client.send("POST", "/ui/login", form.getBytes(StandardCharsets.UTF_8),
                all.toArray(String[]::new));
        assertEquals(303, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("/ui/", r.headers().firstValue("Location").orElse(""), "signed in");
        return r.headers().firstValue("Set-Cookie").orElseThrow();
    }
}
