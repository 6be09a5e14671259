"""The payload models of what the services answer and announce."""

from services.contracts import Chat


def test_chat_examples_are_valid_chats() -> None:
    example = Chat.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]
    assert Chat.model_validate(example).id == "general"
