"""Payloads of the people commands: profiles, finding users, deactivating them."""

from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from .fields import AboutText, DisplayName, Username
from .requests import Request

SearchQuery = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class GetUser(Request):
    """One user's profile."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"username": "bob"}]})

    username: Username


class SearchUsers(Request):
    """Users whose username or display name starts with `query` (ignoring case)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"query": "bo", "limit": 10}]})

    query: SearchQuery = Field(description="The start of a username or of a display name.")
    limit: int = Field(default=20, ge=1, le=50, description="At most this many users.")


class UpdateProfile(Request):
    """Change one's own display name or about text."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"display_name": "Bob Lee", "about": "Kitchen and bikes"}]}
    )

    display_name: DisplayName | None = Field(
        default=None, description="0-64 characters on one line (empty: show the username)."
    )
    about: AboutText | None = Field(default=None, description="0-500 characters.")

    @model_validator(mode="after")
    def _changes_something(self) -> "UpdateProfile":
        if self.display_name is None and self.about is None:
            raise ValueError("give a display_name or an about")
        return self


class DeactivateUser(Request):
    """Deactivate a user (sockets closed, tokens refused at once) or reactivate them;
    workspace admins only."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"username": "mallory", "deactivated": True}]}
    )

    username: Username
    deactivated: bool
