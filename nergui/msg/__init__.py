"""Message templates by area; ``nergui.errors.Msg`` holds them all."""
