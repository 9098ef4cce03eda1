"""The investigation workflow over the store: issues, 5-Whys, documents and notebook export."""
