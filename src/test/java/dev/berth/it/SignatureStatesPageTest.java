package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.support.Browser;
import dev.berth.support.CosignSigner;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The web page's tag list under a signature policy, in headless Chromium: each tag's signature state as an operator
 * sees it (verified by which key, unsigned, invalid with the reason on hover). The screenshot lands in
 * {@code target/ui-signatures.png}.
 */
class SignatureStatesPageTest {
    @TempDir
    Path dir;

    @Test
    void theTagListShowsEachTagsSignatureState() {
        CosignSigner signer = CosignSigner.ecdsa();
        Path key = signer.writePublicKey(dir.resolve("cosign.pub"));
        try (RunningBerth berth = RunningBerth.start(dir.resolve("berth"), "private: {repositories: ['team/*']}\n"
                + "policy:\n  - {repositories: ['team/*'], require: signature, keys: ['" + key + "']}\n");
             Browser browser = Browser.start()) {
            TestClient client = berth.client();
            byte[] signed = client.pushImage("team/app", "1.0", TestData.utf8("{\"n\":1}"), TestData.bytes(300, 1));
            byte[] unsigned = client.pushImage("team/app", "1.1-rc", TestData.utf8("{\"n\":2}"),
                    TestData.bytes(300, 2));
            byte[] mislabelled = client.pushImage("team/app", "0.9", TestData.utf8("{\"n\":3}"),
                    TestData.bytes(300, 3));
            pushSignature(client, Digest.sha256(signed),
                    signer.signatureManifest(CosignSigner.payload("berth.lan:5000/team/app", Digest.sha256(signed))));
            // A signature copied from another image: it signs that image's digest, not this one's.
            pushSignature(client, Digest.sha256(mislabelled),
                    signer.signatureManifest(CosignSigner.payload("berth.lan:5000/team/app", Digest.sha256(unsigned))));

            String base = client.base().toString().replaceAll("/$", "");
            browser.driver().get(base + "/ui/#/repo/team%2Fapp");
            browser.await(d -> d.findElements(By.cssSelector("#tag-rows tr")).size() == 5);
            Map<String, String> states = new LinkedHashMap<>();
            for (WebElement row : browser.driver().findElements(By.cssSelector("#tag-rows tr"))) {
                states.put(row.findElement(By.cssSelector("td:first-child")).getText(),
                        row.findElement(By.cssSelector("td[data-label=Signature]")).getText());
            }
            assertEquals("verified by cosign.pub", states.get("1.0"), states::toString);
            assertEquals("unsigned", states.get("1.1-rc"), states::toString);
            assertEquals("invalid", states.get("0.9"), states::toString);
            assertEquals("–", states.get(CosignSigner.signatureTag(Digest.sha256(signed))),
                    "a signature is no image: " + states);
            String reason = browser.driver().findElement(By.cssSelector("#tag-rows .sig-invalid"))
                    .getAttribute("title");
            assertTrue(reason.contains("it signs " + Digest.sha256(unsigned)), reason);
            browser.screenshot("ui-signatures");
        }
    }

    private static void pushSignature(TestClient client, Digest digest, CosignSigner.SignatureManifest signature) {
        client.pushBlob("team/app", signature.config());
        client.pushBlob("team/app", signature.payload());
        HttpResponse<byte[]> r = client.putManifest("team/app", CosignSigner.signatureTag(digest),
                signature.manifest(), MediaTypes.OCI_MANIFEST);
        assertEquals(201, r.statusCode(), () -> new String(r.body()));
    }
}
