"""Two describe() calls at once (GUI and CLI threads) must not collide on the prompt cache."""

import threading


def test_concurrent_describe_shares_the_prompt_cache(tmp_path, shapes_200) -> None:
    from artseek.library import Library

    with Library(tmp_path / "lib", model="tiny-test") as lib:
        lib.index([shapes_200[0][0].parent])
        ids = [r.image_id for r in lib.search_text("a red circle", 4)]
        errors: list[BaseException] = []

        def work(image_id: int) -> None:
            try:
                assert lib.texts.describe(image_id).keywords
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(i,)) for i in ids]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, errors
